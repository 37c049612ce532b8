//! One circuit's reliability, without I/O: sequence numbers, acknowledgements (appended
//! to outgoing packets or sent as `PacketAck`), resends of reliable packets that were
//! not acknowledged, and dropping duplicates of reliable packets received twice.
//!
//! The session owns the socket and the clock and asks the circuit what to send.

use crate::packet::{self, MessageNumber, Packet};
use crate::{Error, fields};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// `PacketAck`: the message number that only acknowledges.
pub const PACKET_ACK: MessageNumber = MessageNumber::Fixed(0xFB);

/// How long a reliable packet waits for its acknowledgement before it is sent again.
pub const RESEND_AFTER: Duration = Duration::from_millis(1000);
/// How often a reliable packet is sent before it counts as lost.
pub const MAX_TRIES: u32 = 5;
/// How long a received reliable packet's acknowledgement may wait for a packet to ride on.
pub const ACK_DELAY: Duration = Duration::from_millis(100);
/// Most acknowledgements riding on one outgoing packet.
const PIGGYBACK: usize = 32;
/// How many received sequence numbers are remembered to drop duplicates.
const SEEN: usize = 2048;
/// Most reliable packets waiting for acknowledgements; more means the region is gone.
pub const MAX_UNACKED: usize = 4096;

struct Unacked {
    packet: Packet,
    sent: Instant,
    tries: u32,
}

/// A circuit's state.
pub struct Circuit {
    next_sequence: u32,
    unacked: BTreeMap<u32, Unacked>,
    to_ack: Vec<u32>,
    oldest_ack: Option<Instant>,
    seen: HashSet<u32>,
    seen_order: VecDeque<u32>,
    /// Reliable packets given up on since the last look.
    lost: u32,
    /// When anything last arrived.
    pub last_heard: Instant,
}

impl Circuit {
    pub fn new(now: Instant) -> Self {
        Circuit {
            next_sequence: 1,
            unacked: BTreeMap::new(),
            to_ack: Vec::new(),
            oldest_ack: None,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            lost: 0,
            last_heard: now,
        }
    }

    /// Frames a message body for sending; acknowledgements that are waiting ride along.
    pub fn send(
        &mut self,
        body: Vec<u8>,
        reliable: bool,
        zero_coded: bool,
        now: Instant,
    ) -> Result<Vec<u8>, Error> {
        if reliable && self.unacked.len() >= MAX_UNACKED {
            return Err(Error::Closed("too many packets not acknowledged".into()));
        }
        let sequence = self.next_sequence;
        self.next_sequence = self.next_sequence.wrapping_add(1).max(1);
        let mut flags = 0;
        if reliable {
            flags |= packet::RELIABLE;
        }
        if zero_coded {
            flags |= packet::ZERO_CODED;
        }
        let take = self.to_ack.len().min(PIGGYBACK);
        let acks: Vec<u32> = self.to_ack.drain(..take).collect();
        if self.to_ack.is_empty() {
            self.oldest_ack = None;
        }
        let p = Packet {
            flags,
            sequence,
            body,
            acks,
        };
        let wire = p.encode();
        if reliable {
            self.unacked.insert(
                sequence,
                Unacked {
                    packet: Packet { acks: vec![], ..p },
                    sent: now,
                    tries: 1,
                },
            );
        }
        Ok(wire)
    }

    /// Takes in a datagram: acknowledgements are applied, a reliable packet is noted for
    /// acknowledging, and the packet is returned unless it is a duplicate or only a
    /// `PacketAck`.
    pub fn receive(&mut self, data: &[u8], now: Instant) -> Result<Option<Packet>, Error> {
        let p = Packet::decode(data)?;
        self.last_heard = now;
        for ack in &p.acks {
            self.unacked.remove(ack);
        }
        if p.is_reliable() {
            self.to_ack.push(p.sequence);
            self.oldest_ack.get_or_insert(now);
            if !self.seen.insert(p.sequence) {
                return Ok(None);
            }
            self.seen_order.push_back(p.sequence);
            if self.seen_order.len() > SEEN
                && let Some(old) = self.seen_order.pop_front()
            {
                self.seen.remove(&old);
            }
        }
        if p.number()? == PACKET_ACK {
            let (_, at) = MessageNumber::read(&p.body)?;
            let mut r = fields::Reader::new(&p.body, at);
            for _ in 0..r.count()? {
                let id = r.u32()?;
                self.unacked.remove(&id);
            }
            return Ok(None);
        }
        Ok(Some(p))
    }

    /// What is due now: resends of unacknowledged reliable packets, and a `PacketAck`
    /// for acknowledgements that waited long enough for a ride.
    pub fn due(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut given_up = Vec::new();
        for (seq, u) in self.unacked.iter_mut() {
            if now.duration_since(u.sent) < RESEND_AFTER {
                continue;
            }
            if u.tries >= MAX_TRIES {
                given_up.push(*seq);
                continue;
            }
            u.tries += 1;
            u.sent = now;
            u.packet.flags |= packet::RESENT;
            out.push(u.packet.encode());
        }
        for seq in given_up {
            self.unacked.remove(&seq);
            self.lost += 1;
        }
        if self
            .oldest_ack
            .is_some_and(|t| now.duration_since(t) >= ACK_DELAY)
        {
            out.extend(self.ack_packets());
        }
        out
    }

    /// `PacketAck`s for every waiting acknowledgement (up to 255 each), sent unreliably.
    pub fn ack_packets(&mut self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let acks = std::mem::take(&mut self.to_ack);
        self.oldest_ack = None;
        for chunk in acks.chunks(255) {
            let mut w = fields::Writer::new(packet::body_for(PACKET_ACK));
            w.u8(chunk.len() as u8);
            for id in chunk {
                w.u32(*id);
            }
            let sequence = self.next_sequence;
            self.next_sequence = self.next_sequence.wrapping_add(1).max(1);
            out.push(
                Packet {
                    flags: 0,
                    sequence,
                    body: w.finish(),
                    acks: vec![],
                }
                .encode(),
            );
        }
        out
    }

    /// When `due` next has something to do.
    pub fn next_due(&self) -> Option<Instant> {
        let resend = self.unacked.values().map(|u| u.sent + RESEND_AFTER).min();
        let ack = self.oldest_ack.map(|t| t + ACK_DELAY);
        match (resend, ack) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Reliable packets given up on since the last call.
    pub fn take_lost(&mut self) -> u32 {
        std::mem::take(&mut self.lost)
    }

    /// Reliable packets still waiting for their acknowledgement.
    pub fn unacknowledged(&self) -> usize {
        self.unacked.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::body_for;

    fn msg(n: u16) -> Vec<u8> {
        let mut b = body_for(MessageNumber::Low(n));
        b.extend_from_slice(&[1, 2, 3]);
        b
    }

    #[test]
    fn reliable_packets_are_resent_until_acknowledged_then_given_up() {
        let t0 = Instant::now();
        let mut a = Circuit::new(t0);
        let mut b = Circuit::new(t0);
        let first = a.send(msg(3), true, false, t0).unwrap();
        assert!(a.due(t0).is_empty());
        let resend = a.due(t0 + RESEND_AFTER);
        assert_eq!(resend.len(), 1);
        let p = Packet::decode(&resend[0]).unwrap();
        assert_eq!(p.flags & packet::RESENT, packet::RESENT);
        // b gets both copies: delivered once, acknowledged twice.
        assert!(b.receive(&first, t0).unwrap().is_some());
        assert!(b.receive(&resend[0], t0).unwrap().is_none());
        let acks = b.due(t0 + ACK_DELAY);
        assert_eq!(acks.len(), 1);
        assert!(
            a.receive(&acks[0], t0).unwrap().is_none(),
            "PacketAck is consumed"
        );
        assert_eq!(a.unacknowledged(), 0);
        // Never acknowledged: given up after MAX_TRIES.
        a.send(msg(4), true, false, t0).unwrap();
        let mut t = t0;
        for _ in 0..MAX_TRIES {
            t += RESEND_AFTER;
            a.due(t);
        }
        assert_eq!(a.unacknowledged(), 0);
        assert_eq!(a.take_lost(), 1);
    }

    #[test]
    fn acknowledgements_ride_on_the_next_packet() {
        let t0 = Instant::now();
        let mut a = Circuit::new(t0);
        let mut b = Circuit::new(t0);
        let wire = a.send(msg(3), true, false, t0).unwrap();
        b.receive(&wire, t0).unwrap();
        let reply = b.send(msg(5), false, false, t0).unwrap();
        assert!(
            b.due(t0 + ACK_DELAY).is_empty(),
            "nothing left to acknowledge"
        );
        a.receive(&reply, t0).unwrap();
        assert_eq!(a.unacknowledged(), 0);
    }
}
