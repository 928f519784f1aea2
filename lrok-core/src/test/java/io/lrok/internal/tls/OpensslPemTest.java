package io.lrok.internal.tls;

import static io.lrok.internal.tls.Programs.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reads keys and certificates that openssl wrote, in each encoding lrok accepts. */
@Timeout(120)
class OpensslPemTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void needsOpenssl() {
        Programs.require("openssl");
    }

    @Test
    void readsRsaPkcs1AndPkcs8() throws Exception {
        openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "pkcs8.pem");
        openssl(dir, "pkey", "-in", "pkcs8.pem", "-traditional", "-out", "pkcs1.pem");
        openssl(dir, "pkey", "-in", "pkcs8.pem", "-pubout", "-out", "pub.pem");
        assertThat(Files.readString(dir.resolve("pkcs1.pem"))).contains("BEGIN RSA PRIVATE KEY");
        PrivateKey pkcs8 = Pem.readPrivateKey(dir.resolve("pkcs8.pem"));
        PrivateKey pkcs1 = Pem.readPrivateKey(dir.resolve("pkcs1.pem"));
        assertThat(pkcs1).isInstanceOf(RSAPrivateCrtKey.class).isEqualTo(pkcs8);
        assertThat(((RSAPrivateCrtKey) pkcs1).getModulus().bitLength()).isEqualTo(2048);
        assertSignsFor(pkcs1, "SHA256withRSA", "pub.pem");
    }

    @Test
    void readsEcSec1OnP256AndP384AndPkcs8() throws Exception {
        for (String curve : List.of("P-256", "P-384")) {
            openssl(dir, "ecparam", "-name", curve.equals("P-256") ? "prime256v1" : "secp384r1", "-genkey",
                    "-out", "sec1.pem"); // writes an EC PARAMETERS block before the key: skipped
            openssl(dir, "pkey", "-in", "sec1.pem", "-out", "pkcs8.pem");
            openssl(dir, "pkey", "-in", "sec1.pem", "-pubout", "-out", "pub.pem");
            String sec1Text = Files.readString(dir.resolve("sec1.pem"));
            assertThat(sec1Text).contains("BEGIN EC PARAMETERS").contains("BEGIN EC PRIVATE KEY");
            PrivateKey sec1 = Pem.readPrivateKey(sec1Text);
            PrivateKey pkcs8 = Pem.readPrivateKey(dir.resolve("pkcs8.pem"));
            assertThat(sec1).isInstanceOf(ECPrivateKey.class);
            assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) pkcs8).getS());
            assertThat(((ECPrivateKey) sec1).getParams().getOrder().bitLength())
                    .isEqualTo(curve.equals("P-256") ? 256 : 384);
            assertSignsFor(sec1, "SHA256withECDSA", "pub.pem");
        }
    }

    @Test
    void readsAChainOfThreeInOrder() throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=root", "-days", "2");
        issue("root", "mid", true);
        issue("mid", "leaf", false);
        String chain = "leaf comes first\n" + Files.readString(dir.resolve("leaf.pem")) + "\n# junk between\n"
                + Files.readString(dir.resolve("mid.pem")) + "Bag Attributes: ignored\n"
                + Files.readString(dir.resolve("root.pem")) + Files.readString(dir.resolve("leaf.key"));
        List<X509Certificate> read = Pem.readCertificates(chain);
        assertThat(read).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=leaf", "CN=mid", "CN=root");
        read.get(0).verify(read.get(1).getPublicKey());
        read.get(1).verify(read.get(2).getPublicKey());
        assertThat(Pem.readPrivateKey(chain)).isInstanceOf(ECPrivateKey.class);
        assertThat(Pem.readCertificates(Pem.writeCertificates(read))).isEqualTo(read);
    }

    @Test
    void refusesEncryptedKeys() throws Exception {
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.pem");
        openssl(dir, "pkey", "-in", "plain.pem", "-aes256", "-passout", "pass:secret", "-out", "pkcs8.pem");
        openssl(dir, "pkey", "-in", "plain.pem", "-aes256", "-passout", "pass:secret", "-traditional",
                "-out", "legacy.pem");
        assertThat(Files.readString(dir.resolve("pkcs8.pem"))).contains("BEGIN ENCRYPTED PRIVATE KEY");
        assertThat(Files.readString(dir.resolve("legacy.pem"))).contains("Proc-Type: 4,ENCRYPTED");
        for (String file : List.of("pkcs8.pem", "legacy.pem")) {
            assertThatThrownBy(() -> Pem.readPrivateKey(dir.resolve(file))).isInstanceOf(PemException.class)
                    .hasMessageContaining(file).hasMessageContaining("is encrypted");
        }
    }

    private void issue(String issuer, String subject, boolean ca) throws Exception {
        Files.writeString(dir.resolve(subject + ".ext"), ca ? "basicConstraints=critical,CA:true\n"
                : "basicConstraints=CA:false\nsubjectAltName=DNS:leaf.test\n");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", subject + ".key", "-out", subject + ".csr", "-subj", "/CN=" + subject);
        openssl(dir, "x509", "-req", "-in", subject + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key",
                "-CAcreateserial", "-days", "2", "-extfile", subject + ".ext", "-out", subject + ".pem");
    }

    /** The key signs, and openssl's public key for it verifies: the key read is the key openssl made. */
    private void assertSignsFor(PrivateKey key, String algorithm, String publicKeyFile) throws Exception {
        openssl(dir, "pkey", "-pubin", "-in", publicKeyFile, "-outform", "DER", "-out", "pub.der");
        PublicKey publicKey = KeyFactory.getInstance(key.getAlgorithm())
                .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(dir.resolve("pub.der"))));
        byte[] message = "lrok".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(message);
        assertThat(verifier.verify(signature)).isTrue();
    }
}
