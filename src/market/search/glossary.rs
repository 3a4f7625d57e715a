//! What the abbreviations of chip design stand for. A general sentence model does not
//! know that an LDO is a voltage regulator or that GNSS finds where you are, so a
//! chip's text is embedded with the meaning of each abbreviation it uses.

/// Abbreviation (lower case) and what it means in plain words.
const TERMS: &[(&str, &str)] = &[
    ("5g", "fifth-generation mobile network"),
    ("adas", "advanced driver assistance systems for cars"),
    ("adc", "analog-to-digital converter"),
    ("aes", "advanced encryption standard cipher"),
    ("ai", "artificial intelligence"),
    ("asic", "application-specific integrated circuit"),
    ("axi", "AMBA on-chip bus"),
    ("bist", "built-in self-test"),
    ("ble", "Bluetooth Low Energy radio"),
    ("bms", "battery management system"),
    ("cdr", "clock and data recovery"),
    ("cnn", "convolutional neural network"),
    ("codec", "coder-decoder"),
    ("cpu", "central processing unit"),
    ("crc", "cyclic redundancy check"),
    ("csi-2", "camera serial interface"),
    ("cxl", "Compute Express Link cache-coherent interconnect"),
    ("dac", "digital-to-analog converter"),
    ("dc-dc", "switching voltage converter"),
    ("ddr4", "double data rate DRAM"),
    ("ddr5", "double data rate DRAM"),
    ("dma", "direct memory access engine"),
    ("dsi", "display serial interface"),
    ("dsp", "digital signal processing"),
    ("ecc", "error-correcting code"),
    ("ecdsa", "elliptic-curve digital signature"),
    ("edp", "embedded DisplayPort for laptop screens"),
    ("efuse", "electrically programmable fuse"),
    ("emmc", "embedded flash storage"),
    ("fft", "fast Fourier transform"),
    ("fir", "finite impulse response digital filter"),
    ("fpga", "field-programmable gate array"),
    ("fpu", "floating-point unit"),
    ("gnss", "global navigation satellite system receiver (GPS)"),
    ("gpu", "graphics processing unit that renders 3D scenes for games and displays"),
    ("hbm", "high bandwidth memory"),
    ("hdcp", "content protection for video links"),
    ("hdmi", "high-definition multimedia interface for displays"),
    ("hevc", "high efficiency video coding"),
    ("hmac", "keyed message authentication"),
    ("i2c", "inter-integrated circuit two-wire bus"),
    ("i3c", "improved inter-integrated circuit sensor bus"),
    ("imu", "inertial measurement unit motion sensor"),
    ("iot", "internet of things devices"),
    ("isp", "image signal processor"),
    ("jpeg", "image compression standard"),
    ("jtag", "IEEE 1149.1 test access port"),
    ("kyber", "post-quantum key encapsulation"),
    ("ldo", "low-dropout linear voltage regulator"),
    ("ldpc", "low-density parity-check error-correcting code"),
    ("lna", "low-noise amplifier"),
    ("lora", "long-range low-power wide-area radio"),
    ("lpddr", "low-power DRAM for mobile devices"),
    ("lpddr4", "low-power DRAM for mobile devices"),
    ("lpddr5", "low-power DRAM for mobile devices"),
    ("lte", "4G mobile network"),
    ("lut", "lookup table"),
    ("mcu", "microcontroller unit"),
    ("mems", "micro-electro-mechanical sensor"),
    ("mipi", "mobile industry processor interface"),
    ("ml", "machine learning"),
    ("mmu", "memory management unit"),
    ("mppt", "maximum power point tracking for solar cells"),
    ("nand", "NAND flash memory"),
    ("nfc", "near-field communication for contactless payment"),
    ("noc", "network-on-chip"),
    ("npu", "neural processing unit for machine learning"),
    ("nr", "new radio mobile network"),
    ("nvme", "solid-state storage protocol"),
    ("otp", "one-time programmable non-volatile memory"),
    ("pcie", "PCI Express expansion bus"),
    ("phy", "physical-layer transceiver"),
    ("pll", "phase-locked loop clock generator"),
    ("pmic", "power management integrated circuit"),
    ("pqc", "post-quantum cryptography"),
    ("puf", "physically unclonable function for device identity"),
    ("pwm", "pulse-width modulation"),
    ("qspi", "quad serial peripheral interface for flash memory"),
    ("rf", "radio frequency"),
    ("rfid", "radio-frequency identification tags"),
    ("risc-v", "open-standard instruction set architecture"),
    ("rsa", "public-key cryptosystem"),
    ("rtc", "real-time clock"),
    ("rv32", "32-bit RISC-V processor"),
    ("rv64", "64-bit RISC-V processor"),
    ("sata", "storage drive interface"),
    ("serdes", "serializer-deserializer high-speed serial transceiver"),
    ("sha3", "secure hash algorithm"),
    ("simd", "single instruction multiple data"),
    ("smps", "switched-mode power supply"),
    ("soc", "system-on-chip"),
    ("spi", "serial peripheral interface bus"),
    ("sram", "static random-access memory"),
    ("ssd", "solid-state drive"),
    ("tpm", "trusted platform module"),
    ("transformer", "the neural network behind large language models and chatbots"),
    ("trng", "true random number generator"),
    ("tsn", "time-sensitive networking for deterministic Ethernet"),
    ("uart", "universal asynchronous receiver-transmitter serial port"),
    ("ucie", "die-to-die chiplet interconnect"),
    ("ufs", "universal flash storage"),
    ("usb", "universal serial bus"),
    ("uwb", "ultra-wideband radio"),
    ("vco", "voltage-controlled oscillator"),
    ("vliw", "very long instruction word"),
    ("wi-fi", "wireless local area network"),
    ("wifi", "wireless local area network"),
    ("zigbee", "low-power mesh radio for home automation"),
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
