//! Field encodings of the message system: little-endian numbers, UUIDs as their 16
//! bytes, vectors as 32-bit floats, `Variable 1`/`Variable 2` as a length (u8 / u16
//! little-endian) and bytes, IP ports big-endian. Strings in variable fields end with a
//! NUL, which the reader drops.

use crate::{Error, Uuid};

/// Writes fields after a message number.
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// A writer continuing `body` (which starts with the message number).
    pub fn new(body: Vec<u8>) -> Self {
        Writer { buf: body }
    }

    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(u8::from(v))
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn f32(&mut self, v: f32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn uuid(&mut self, v: Uuid) -> &mut Self {
        self.buf.extend_from_slice(v.as_bytes());
        self
    }
    pub fn vec3(&mut self, v: [f32; 3]) -> &mut Self {
        v.iter().for_each(|c| {
            self.f32(*c);
        });
        self
    }
    pub fn vec3d(&mut self, v: [f64; 3]) -> &mut Self {
        v.iter().for_each(|c| {
            self.f64(*c);
        });
        self
    }
    /// A quaternion goes as x, y, z of its normalised form (w is implied).
    pub fn quat(&mut self, v: [f32; 3]) -> &mut Self {
        self.vec3(v)
    }
    /// IP addresses go in network order.
    pub fn ipaddr(&mut self, v: std::net::Ipv4Addr) -> &mut Self {
        self.buf.extend_from_slice(&v.octets());
        self
    }
    /// IP ports go big-endian, unlike every other number.
    pub fn ipport(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// `Variable 1`: at most 255 bytes; longer is cut.
    pub fn var1(&mut self, v: &[u8]) -> &mut Self {
        let v = &v[..v.len().min(255)];
        self.u8(v.len() as u8);
        self.buf.extend_from_slice(v);
        self
    }
    /// `Variable 2`: at most 65,535 bytes; longer is cut.
    pub fn var2(&mut self, v: &[u8]) -> &mut Self {
        let v = &v[..v.len().min(65535)];
        self.u16(v.len() as u16);
        self.buf.extend_from_slice(v);
        self
    }
    /// A string in a `Variable 1` field, NUL-terminated (the NUL counts in the length).
    pub fn str1(&mut self, s: &str) -> &mut Self {
        self.var1(&nul_terminated(s, 255))
    }
    /// A string in a `Variable 2` field, NUL-terminated.
    pub fn str2(&mut self, s: &str) -> &mut Self {
        self.var2(&nul_terminated(s, 65535))
    }
    /// `Fixed N` bytes.
    pub fn fixed(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
}

/// The string's bytes with a NUL, cut (on a character boundary) to fit `max`.
fn nul_terminated(s: &str, max: usize) -> Vec<u8> {
    let mut end = s.len().min(max - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut v = s.as_bytes()[..end].to_vec();
    v.push(0);
    v
}

/// Reads fields of a message body, after its number.
pub struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8], at: usize) -> Self {
        Reader { data, at }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(Error::Malformed("message cut short"))?;
        let s = &self.data[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    pub fn bool(&mut self) -> Result<bool, Error> {
        Ok(self.u8()? != 0)
    }
    pub fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn i32(&mut self) -> Result<i32, Error> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub fn f32(&mut self) -> Result<f32, Error> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    pub fn f64(&mut self) -> Result<f64, Error> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    pub fn uuid(&mut self) -> Result<Uuid, Error> {
        Ok(Uuid::from_bytes(self.array()?))
    }
    pub fn vec3(&mut self) -> Result<[f32; 3], Error> {
        Ok([self.f32()?, self.f32()?, self.f32()?])
    }
    pub fn vec3d(&mut self) -> Result<[f64; 3], Error> {
        Ok([self.f64()?, self.f64()?, self.f64()?])
    }
    pub fn ipaddr(&mut self) -> Result<std::net::Ipv4Addr, Error> {
        Ok(std::net::Ipv4Addr::from(self.array::<4>()?))
    }
    pub fn ipport(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    pub fn var1(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u8()? as usize;
        self.take(n)
    }
    pub fn var2(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u16()? as usize;
        self.take(n)
    }
    /// A `Variable 1` string, without its NUL; invalid UTF-8 is replaced.
    pub fn str1(&mut self) -> Result<String, Error> {
        Ok(text(self.var1()?))
    }
    /// A `Variable 2` string, without its NUL.
    pub fn str2(&mut self) -> Result<String, Error> {
        Ok(text(self.var2()?))
    }
    pub fn fixed(&mut self, n: usize) -> Result<&'a [u8], Error> {
        self.take(n)
    }
    /// The count before a `Variable` block.
    pub fn count(&mut self) -> Result<usize, Error> {
        Ok(self.u8()? as usize)
    }
    /// Whether the body has more bytes (optional trailing blocks).
    pub fn more(&self) -> bool {
        self.at < self.data.len()
    }
}

fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_with_their_byte_orders() {
        let id = Uuid::new_v4();
        let mut w = Writer::new(vec![]);
        w.u16(0x0102)
            .u32(7)
            .ipport(9000)
            .uuid(id)
            .str1("héllo")
            .str2("")
            .f32(1.5)
            .bool(true);
        let b = w.finish();
        assert_eq!(&b[..2], &[0x02, 0x01]);
        assert_eq!(&b[6..8], &[0x23, 0x28]);
        let mut r = Reader::new(&b, 0);
        assert_eq!(r.u16().unwrap(), 0x0102);
        assert_eq!(r.u32().unwrap(), 7);
        assert_eq!(r.ipport().unwrap(), 9000);
        assert_eq!(r.uuid().unwrap(), id);
        assert_eq!(r.str1().unwrap(), "héllo");
        assert_eq!(r.str2().unwrap(), "");
        assert_eq!(r.f32().unwrap(), 1.5);
        assert!(r.bool().unwrap());
        assert!(!r.more());
        assert!(r.u8().is_err());
    }

    #[test]
    fn long_strings_are_cut_on_a_character_boundary() {
        let s = "é".repeat(200);
        let mut w = Writer::new(vec![]);
        w.str1(&s);
        let b = w.finish();
        assert!(b[0] as usize <= 255);
        let mut r = Reader::new(&b, 0);
        let back = r.str1().unwrap();
        assert!(s.starts_with(&back) && back.len() >= 252);
    }
}
