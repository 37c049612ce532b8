//! The packet frame of the UDP message system: the header (flags, sequence number,
//! extra header), the message number, zero-coding of the body, and acknowledgements
//! appended at the end.
//!
//! Layout, as the protocol defines it:
//!
//! ```text
//! flags:u8  sequence:u32 (big-endian)  extra_len:u8  extra[extra_len]
//! body (message number + fields; zero-coded when flags has ZERO_CODED)
//! [ack:u32 (big-endian)]*  ack_count:u8          (only when flags has ACKS)
//! ```
//!
//! Zero-coding replaces each run of zero bytes in the body by `0x00, run length`
//! (runs longer than 255 are split). Acknowledgements are never zero-coded.

use crate::Error;

/// The packet is zero-coded.
pub const ZERO_CODED: u8 = 0x80;
/// The sender wants an acknowledgement.
pub const RELIABLE: u8 = 0x40;
/// A resend of a reliable packet (the receiver may have it already).
pub const RESENT: u8 = 0x20;
/// Acknowledgements are appended.
pub const ACKS: u8 = 0x10;

/// The header before the body.
const HEADER: usize = 6;
/// Most acknowledgements appended to one packet (the count is a byte).
pub const MAX_APPENDED_ACKS: usize = 255;
/// The largest datagram the protocol sends (the viewer's MTU).
pub const MAX_PACKET: usize = 1400;

/// A message number: its frequency class decides how many bytes it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageNumber {
    /// One byte, 1–254.
    High(u8),
    /// `0xFF` then one byte.
    Medium(u8),
    /// `0xFF 0xFF` then a big-endian u16.
    Low(u16),
    /// `0xFF 0xFF 0xFF` then one byte (written `0xFFFFFFxx` in the template).
    Fixed(u8),
}

impl MessageNumber {
    fn write(self, out: &mut Vec<u8>) {
        match self {
            MessageNumber::High(n) => out.push(n),
            MessageNumber::Medium(n) => out.extend_from_slice(&[0xFF, n]),
            MessageNumber::Low(n) => {
                out.extend_from_slice(&[0xFF, 0xFF]);
                out.extend_from_slice(&n.to_be_bytes());
            }
            MessageNumber::Fixed(n) => out.extend_from_slice(&[0xFF, 0xFF, 0xFF, n]),
        }
    }

    /// Reads the number at the start of a (decoded) body; returns it and its length.
    pub fn read(body: &[u8]) -> Result<(MessageNumber, usize), Error> {
        let short = || Error::Malformed("message number cut short");
        match body {
            [0xFF, 0xFF, 0xFF, n, ..] => Ok((MessageNumber::Fixed(*n), 4)),
            [0xFF, 0xFF, a, b, ..] if *a != 0xFF => {
                Ok((MessageNumber::Low(u16::from_be_bytes([*a, *b])), 4))
            }
            [0xFF, n, ..] if *n != 0xFF => Ok((MessageNumber::Medium(*n), 2)),
            [n, ..] if *n != 0xFF => Ok((MessageNumber::High(*n), 1)),
            _ => Err(short()),
        }
    }
}

/// One packet, decoded: the body is plain (not zero-coded) and starts with the
/// message number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// `RELIABLE`, `RESENT`, `ZERO_CODED` (on encode: code the body if it gets
    /// shorter). `ACKS` is derived from `acks`.
    pub flags: u8,
    pub sequence: u32,
    /// The message number and its fields.
    pub body: Vec<u8>,
    /// Sequence numbers of packets this one acknowledges.
    pub acks: Vec<u32>,
}

impl Packet {
    /// The packet as bytes on the wire.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.body.len() + 4 * self.acks.len() + 1);
        let mut flags = self.flags & !(ACKS | ZERO_CODED);
        let acks = &self.acks[..self.acks.len().min(MAX_APPENDED_ACKS)];
        if !acks.is_empty() {
            flags |= ACKS;
        }
        let coded = if self.flags & ZERO_CODED != 0 {
            let coded = zero_encode(&self.body);
            (coded.len() < self.body.len()).then_some(coded)
        } else {
            None
        };
        if coded.is_some() {
            flags |= ZERO_CODED;
        }
        out.push(flags);
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.push(0);
        out.extend_from_slice(coded.as_deref().unwrap_or(&self.body));
        for ack in acks {
            out.extend_from_slice(&ack.to_be_bytes());
        }
        if !acks.is_empty() {
            out.push(acks.len() as u8);
        }
        out
    }

    /// Reads a datagram. The extra header, which nothing we speak to uses, is skipped.
    pub fn decode(data: &[u8]) -> Result<Packet, Error> {
        if data.len() < HEADER + 1 {
            return Err(Error::Malformed("packet shorter than its header"));
        }
        let flags = data[0];
        let sequence = u32::from_be_bytes([data[1], data[2], data[3], data[4]]);
        let start = HEADER + data[5] as usize;
        let mut end = data.len();
        let mut acks = Vec::new();
        if flags & ACKS != 0 {
            let count = data[end - 1] as usize;
            let need = 4 * count + 1;
            if end < start + need {
                return Err(Error::Malformed("appended acknowledgements cut short"));
            }
            end -= need;
            acks = data[end..end + 4 * count]
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
        }
        if start >= end {
            return Err(Error::Malformed("packet without a body"));
        }
        let body = if flags & ZERO_CODED != 0 {
            zero_decode(&data[start..end])?
        } else {
            data[start..end].to_vec()
        };
        Ok(Packet {
            flags: flags & !ACKS,
            sequence,
            body,
            acks,
        })
    }

    /// The message number at the start of the body.
    pub fn number(&self) -> Result<MessageNumber, Error> {
        MessageNumber::read(&self.body).map(|(n, _)| n)
    }

    pub fn is_reliable(&self) -> bool {
        self.flags & RELIABLE != 0
    }
}

/// Starts a body with its message number.
pub fn body_for(number: MessageNumber) -> Vec<u8> {
    let mut body = Vec::with_capacity(64);
    number.write(&mut body);
    body
}

/// Zero-codes a body: each run of zeros becomes `0, n`.
pub fn zero_encode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut zeros: u8 = 0;
    for &b in body {
        if b == 0 {
            if zeros == 255 {
                out.extend_from_slice(&[0, zeros]);
                zeros = 0;
            }
            zeros += 1;
        } else {
            if zeros > 0 {
                out.extend_from_slice(&[0, zeros]);
                zeros = 0;
            }
            out.push(b);
        }
    }
    if zeros > 0 {
        out.extend_from_slice(&[0, zeros]);
    }
    out
}

/// Undoes [`zero_encode`]. A zero run may not claim more than the largest packet.
pub fn zero_decode(coded: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(coded.len() * 2);
    let mut bytes = coded.iter();
    while let Some(&b) = bytes.next() {
        if b == 0 {
            let Some(&n) = bytes.next() else {
                return Err(Error::Malformed("zero run without its length"));
            };
            out.resize(out.len() + n as usize, 0);
            if out.len() > 8 * MAX_PACKET {
                return Err(Error::Malformed("zero-coded body too long"));
            }
        } else {
            out.push(b);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_numbers_take_the_bytes_of_their_frequency() {
        for (n, bytes) in [
            (MessageNumber::High(4), vec![4]),
            (MessageNumber::Medium(7), vec![0xFF, 7]),
            (MessageNumber::Low(254), vec![0xFF, 0xFF, 0x00, 0xFE]),
            (MessageNumber::Low(0x0180), vec![0xFF, 0xFF, 0x01, 0x80]),
            (MessageNumber::Fixed(0xFB), vec![0xFF, 0xFF, 0xFF, 0xFB]),
        ] {
            let body = body_for(n);
            assert_eq!(body, bytes, "{n:?}");
            assert_eq!(MessageNumber::read(&body).unwrap(), (n, bytes.len()));
        }
        assert!(MessageNumber::read(&[0xFF]).is_err());
        assert!(MessageNumber::read(&[]).is_err());
    }

    #[test]
    fn zero_runs_are_coded_and_split_at_255() {
        assert_eq!(zero_encode(&[1, 0, 0, 0, 2]), vec![1, 0, 3, 2]);
        assert_eq!(zero_encode(&[0]), vec![0, 1]);
        let long = vec![0u8; 300];
        assert_eq!(zero_encode(&long), vec![0, 255, 0, 45]);
        for body in [vec![1, 0, 0, 0, 2], vec![0; 300], vec![9, 9], vec![]] {
            assert_eq!(zero_decode(&zero_encode(&body)).unwrap(), body);
        }
        assert!(zero_decode(&[5, 0]).is_err());
    }

    #[test]
    fn a_reliable_zero_coded_packet_with_acks_round_trips() {
        let mut body = body_for(MessageNumber::Low(3));
        body.extend_from_slice(&[0; 20]);
        body.push(7);
        let p = Packet {
            flags: RELIABLE | ZERO_CODED,
            sequence: 0x0102_0304,
            body,
            acks: vec![5, 0xA0B0_C0D0],
        };
        let wire = p.encode();
        assert_eq!(wire[0], RELIABLE | ZERO_CODED | ACKS);
        assert_eq!(&wire[1..6], &[1, 2, 3, 4, 0]);
        // Message number 0xFF 0xFF 0x00 0x03: the zero is coded as 0x00 0x01.
        assert_eq!(&wire[6..11], &[0xFF, 0xFF, 0x00, 0x01, 0x03]);
        assert_eq!(
            &wire[wire.len() - 9..],
            &[0, 0, 0, 5, 0xA0, 0xB0, 0xC0, 0xD0, 2]
        );
        let back = Packet::decode(&wire).unwrap();
        assert_eq!(back.body, p.body);
        assert_eq!(back.acks, p.acks);
        assert_eq!(back.sequence, p.sequence);
        assert!(back.is_reliable());
        assert_eq!(back.number().unwrap(), MessageNumber::Low(3));
    }

    #[test]
    fn zero_coding_is_skipped_when_it_does_not_shorten() {
        let p = Packet {
            flags: ZERO_CODED,
            sequence: 1,
            body: vec![1, 2, 3],
            acks: vec![],
        };
        let wire = p.encode();
        assert_eq!(wire[0] & ZERO_CODED, 0);
        assert_eq!(Packet::decode(&wire).unwrap().body, vec![1, 2, 3]);
    }

    #[test]
    fn truncated_packets_are_errors_not_panics() {
        for data in [
            &[][..],
            &[0x10, 0, 0, 0, 1, 0, 9, 200][..],
            &[0, 0, 0, 0, 1, 9, 1][..],
        ] {
            assert!(Packet::decode(data).is_err(), "{data:?}");
        }
    }
}
