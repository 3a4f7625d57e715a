//! What the abbreviations of chip design stand for. A general sentence model does not
//! know that an LDO is a voltage regulator or that GNSS finds where you are, so a
//! chip's text is embedded with the meaning of each abbreviation it uses.

/// Abbreviation (lower case) and what it means in plain words.
const TERMS: &[(&str, &str)] = &[
    ("adc", "analog-to-digital converter"),
    ("aes", "advanced encryption standard cipher"),
    ("ai", "artificial intelligence"),
    ("axi", "AMBA on-chip bus"),
    ("ble", "Bluetooth Low Energy radio"),
    ("cnn", "convolutional neural network"),
    ("codec", "coder-decoder"),
    ("cpu", "central processing unit"),
    ("csi-2", "camera serial interface"),
    ("dac", "digital-to-analog converter"),
    ("dc-dc", "switching voltage converter"),
    ("ddr4", "double data rate DRAM"),
    ("dsp", "digital signal processing"),
    ("efuse", "electrically programmable fuse"),
    ("fpga", "field-programmable gate array"),
    ("gnss", "global navigation satellite system receiver (GPS)"),
    ("gpu", "graphics processing unit"),
    ("hbm", "high bandwidth memory"),
    ("hdmi", "high-definition multimedia interface for displays"),
    ("hevc", "high efficiency video coding"),
    ("i2c", "inter-integrated circuit two-wire bus"),
    ("isp", "image signal processor"),
    ("jpeg", "image compression standard"),
    ("jtag", "IEEE 1149.1 test access port"),
    ("kyber", "post-quantum key encapsulation"),
    ("ldo", "low-dropout linear voltage regulator"),
    ("ldpc", "low-density parity-check error-correcting code"),
    ("lora", "long-range low-power wide-area radio"),
    ("lut", "lookup table"),
    ("mcu", "microcontroller unit"),
    ("mipi", "mobile industry processor interface"),
    ("mppt", "maximum power point tracking for solar cells"),
    ("nand", "NAND flash memory"),
    ("noc", "network-on-chip"),
    ("npu", "neural processing unit"),
    ("otp", "one-time programmable non-volatile memory"),
    ("pcie", "PCI Express expansion bus"),
    ("phy", "physical-layer transceiver"),
    ("pll", "phase-locked loop clock generator"),
    ("pmic", "power management integrated circuit"),
    ("pqc", "post-quantum cryptography"),
    ("pwm", "pulse-width modulation"),
    ("rf", "radio frequency"),
    ("risc-v", "open-standard instruction set architecture"),
    ("rsa", "public-key cryptosystem"),
    ("rtc", "real-time clock"),
    ("serdes", "serializer-deserializer high-speed serial transceiver"),
    ("sha3", "secure hash algorithm"),
    ("simd", "single instruction multiple data"),
    ("sram", "static random-access memory"),
    ("ssd", "solid-state drive"),
    ("trng", "true random number generator"),
    ("tsn", "time-sensitive networking for deterministic Ethernet"),
    ("uart", "universal asynchronous receiver-transmitter serial port"),
    ("usb", "universal serial bus"),
    ("uwb", "ultra-wideband radio"),
    ("vliw", "very long instruction word"),
];

/// `text` followed by the meaning of each abbreviation it uses (each once).
pub fn explain(text: &str) -> String {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !(c.is_alphanumeric() || c == '-')).collect();
    let mut out = text.to_owned();
    for (term, meaning) in TERMS {
        if words.iter().any(|w| w == term || w.split('-').any(|p| p == *term)) {
            out.push_str(". ");
            out.push_str(meaning);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn abbreviations_are_explained_once() {
        let s = super::explain("LDO Regulator. analog. ldo, regulator");
        assert_eq!(s.matches("low-dropout linear voltage regulator").count(), 1);
        assert_eq!(super::explain("Plain words"), "Plain words");
    }
}
