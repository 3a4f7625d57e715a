//! Compact copies of sentence vectors for ranking many chips at once: 8-bit values
//! (384 bytes a vector, a quarter of the floats), compared exactly enough to rank by.

/// An 8-bit copy of a vector and the factor that undoes it.
pub fn quantize(v: &[f32]) -> (Vec<i8>, f32) {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let k = 127.0 / max;
    // Each value is within ±127 after scaling, so the conversion cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    let q = v.iter().map(|x| (x * k).round() as i8).collect();
    (q, max / 127.0)
}

/// The dot product of two 8-bit vectors, written so the compiler turns it into
/// multiply-adds of 16-bit pairs (`pmaddwd`): each product fits in 16 bits, and
/// two of them in 32.
pub fn dot(a: &[i8], b: &[i8]) -> i32 {
    let mut sum = 0i32;
    for (x, y) in a.chunks_exact(16).zip(b.chunks_exact(16)) {
        let pairs = x.chunks_exact(2).zip(y.chunks_exact(2));
        sum += pairs
            .map(|(p, q)| i32::from(i16::from(p[0]) * i16::from(q[0])) + i32::from(i16::from(p[1]) * i16::from(q[1])))
            .sum::<i32>();
    }
    let done = a.len() / 16 * 16;
    sum + a[done..].iter().zip(&b[done..]).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum::<i32>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_8_bit_dot_product_is_the_plain_one() {
        let a: Vec<i8> = (0..crate::embed::DIM).map(|i| (i as i32 % 255 - 127) as i8).collect();
        let b: Vec<i8> = (0..crate::embed::DIM).map(|i| ((i * 31) as i32 % 255 - 127) as i8).collect();
        let plain: i32 = a.iter().zip(&b).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum();
        assert_eq!(dot(&a, &b), plain);
    }
}
