package io.lrok.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** PEM and DER edge cases, on strings and byte arrays: no files, no openssl. */
class PemTest {

    @Test
    void derEncodesWhatTheSpecsShow() throws Exception {
        HexFormat hex = HexFormat.of();
        assertThat(hex.formatHex(Der.oid("1.2.840.10045.2.1"))).isEqualTo("06072a8648ce3d0201");
        assertThat(hex.formatHex(Der.integer(128))).isEqualTo("02020080");
        assertThat(hex.formatHex(Der.namedBits(0, 5, 6))).isEqualTo("03020186");
        assertThat(hex.formatHex(Der.namedBits(0))).isEqualTo("03020780");
        byte[] big = Der.octetString(new byte[300]);
        assertThat(hex.formatHex(big, 0, 4)).isEqualTo("0482012c");
        DerReader reader = new DerReader(Der.sequence(Der.oid("2.999.3"), Der.integer(BigInteger.TWO.pow(70)), big));
        DerReader seq = reader.sequence();
        assertThat(seq.oid()).isEqualTo("2.999.3");
        assertThat(seq.integer()).isEqualTo(BigInteger.TWO.pow(70));
        assertThat(seq.octetString()).hasSize(300);
        seq.end();
        reader.end();
    }

    @Test
    void derReaderRefusesWhatIsNotDer() {
        assertThatThrownBy(() -> new DerReader(HexFormat.of().parseHex("3080")).read())
                .isInstanceOf(DerException.class).hasMessageContaining("indefinite");
        assertThatThrownBy(() -> new DerReader(HexFormat.of().parseHex("300500")).read())
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> new DerReader(HexFormat.of().parseHex("04810100")).read())
                .hasMessageContaining("minimal");
        assertThatThrownBy(() -> new DerReader(Der.integer(1)).oid()).hasMessageContaining("expected tag 0x06");
    }

    @Test
    void writesAndReadsBackAGeneratedKeyAndChain() throws Exception {
        IssuedCertificate leaf = CertificateAuthority.create().issue("a.test");
        String both = "junk\n" + leaf.chainPem() + "more junk\r\n" + leaf.privateKeyPem().replace("\n", "\r\n");
        assertThat(Pem.readCertificates(both)).isEqualTo(leaf.chain());
        assertThat(Pem.readPrivateKey(both)).isEqualTo(leaf.privateKey());
        assertThat(leaf.privateKeyPem().lines().skip(1).findFirst().orElseThrow()).hasSize(64);
    }

    @Test
    void saysWhatIsWrongWithMalformedPem() throws Exception {
        String key = CertificateAuthority.create().issue("a.test").privateKeyPem();
        assertThatThrownBy(() -> Pem.readPrivateKey(key.replace("-----END PRIVATE KEY-----\n", "")))
                .isInstanceOf(PemException.class).hasMessage("the PRIVATE KEY block at line 1 has no END line");
        assertThatThrownBy(() -> Pem.readPrivateKey(key.replace("END PRIVATE", "END RSA PRIVATE")))
                .hasMessageContaining("END RSA PRIVATE KEY does not match BEGIN PRIVATE KEY");
        assertThatThrownBy(() -> Pem.readPrivateKey(key.replaceFirst("\n.", "\n*")))
                .hasMessageContaining("is not valid base64");
        assertThatThrownBy(() -> Pem.readPrivateKey("no pem here")).hasMessage("no private key block found");
        assertThatThrownBy(() -> Pem.readCertificates(key)).hasMessage("no CERTIFICATE block found");
        assertThatThrownBy(() -> Pem.readPrivateKey(key + key)).hasMessageContaining("more than one private key");
        assertThatThrownBy(() -> Pem.readPrivateKey(Pem.write("PRIVATE KEY", Der.sequence(Der.integer(0)))))
                .hasMessageContaining("is malformed");
        assertThatThrownBy(() -> Pem.readPrivateKey(Pem.write("EC PRIVATE KEY",
                Der.sequence(Der.integer(1), Der.octetString(new byte[32])))))
                .hasMessageContaining("names no curve");
        assertThatThrownBy(() -> Pem.readPrivateKey(Pem.write("ENCRYPTED PRIVATE KEY", new byte[] {0})))
                .hasMessageContaining("is encrypted");
        assertThatThrownBy(() -> Pem.readCertificates(Pem.write("CERTIFICATE", Der.sequence())))
                .hasMessageContaining("is not a valid X.509 certificate");
    }
}
