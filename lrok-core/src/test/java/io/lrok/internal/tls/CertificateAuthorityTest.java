package io.lrok.internal.tls;

import static io.lrok.internal.tls.Programs.openssl;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The certificates a {@link CertificateAuthority} makes, as the JDK and openssl see them. */
@Timeout(60)
class CertificateAuthorityTest {

    @TempDir
    Path dir;

    @Test
    void theJdkSeesACaAndAServerCertificate() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create();
        IssuedCertificate leaf = ca.issue("tunnel.lrok.test", "*.lrok.test", "127.0.0.1", "::1");
        X509Certificate root = ca.certificate();
        X509Certificate cert = leaf.certificate();
        root.verify(root.getPublicKey());
        cert.verify(root.getPublicKey());
        assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(root.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getVersion()).isEqualTo(3);
        assertThat(cert.getSerialNumber().signum()).isPositive();
        assertThat(cert.getSerialNumber()).isNotEqualTo(ca.issue("x.test").certificate().getSerialNumber());
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getKeyUsage()[0]).isTrue(); // digitalSignature
        assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
                .containsExactly((Object) "tunnel.lrok.test", "*.lrok.test", "127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(Pem.readPrivateKey(leaf.privateKeyPem())).isEqualTo(leaf.privateKey());
        assertThat(Pem.readCertificates(leaf.chainPem())).isEqualTo(leaf.chain());
    }

    @Test
    void opensslVerifiesTheChainAndShowsTheSans() throws Exception {
        Programs.require("openssl");
        for (CertificateAuthority.KeyType type : CertificateAuthority.KeyType.values()) {
            CertificateAuthority ca = CertificateAuthority.create(type, "lrok test CA");
            IssuedCertificate leaf = ca.issue("tunnel.lrok.test", "127.0.0.1");
            Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
            Files.writeString(dir.resolve("leaf.pem"), Pem.writeCertificates(List.of(leaf.certificate())));
            Files.writeString(dir.resolve("leaf.key"), leaf.privateKeyPem());
            assertThat(openssl(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "leaf.pem"))
                    .contains("leaf.pem: OK");
            assertThat(openssl(dir, "verify", "-CAfile", "ca.pem", "-x509_strict", "ca.pem")).contains("OK");
            String text = openssl(dir, "x509", "-in", "leaf.pem", "-noout", "-text");
            assertThat(text).contains("DNS:tunnel.lrok.test, IP Address:127.0.0.1")
                    .contains("TLS Web Server Authentication").contains("CA:FALSE")
                    .contains(type == CertificateAuthority.KeyType.RSA_2048 ? "sha256WithRSAEncryption"
                            : "ecdsa-with-SHA256")
                    .contains("X509v3 Subject Key Identifier").contains("X509v3 Authority Key Identifier");
            assertThat(openssl(dir, "x509", "-in", "ca.pem", "-noout", "-text")).contains("CA:TRUE")
                    .contains("Certificate Sign, CRL Sign");
            // openssl agrees the key belongs to the certificate.
            assertThat(openssl(dir, "x509", "-in", "leaf.pem", "-noout", "-pubkey"))
                    .isEqualTo(openssl(dir, "pkey", "-in", "leaf.key", "-pubout"));
        }
    }

    @Test
    void opensslRejectsAnExpiredCertificate() throws Exception {
        Programs.require("openssl");
        CertificateAuthority ca = CertificateAuthority.create();
        Instant now = Instant.now();
        IssuedCertificate expired = ca.issue(List.of("old.lrok.test"), now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofDays(1)));
        Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        Files.writeString(dir.resolve("old.pem"), Pem.writeCertificates(List.of(expired.certificate())));
        Programs.Result result = Programs.run(dir, "openssl", "verify", "-CAfile", "ca.pem", "old.pem");
        assertThat(result.exit()).isNotZero();
        assertThat(result.output()).contains("certificate has expired");
    }

    @Test
    void validityAfter2049IsAGeneralizedTime() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create();
        Instant far = Instant.parse("2051-06-01T12:00:00Z");
        X509Certificate cert = ca.issue(List.of("far.lrok.test"), Instant.now(), far).certificate();
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(far);
    }
}
