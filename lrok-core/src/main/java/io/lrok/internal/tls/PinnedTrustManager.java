package io.lrok.internal.tls;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client's trust manager that accepts a server only if its certificate is byte for byte one of the pinned ones, and
 * valid now. For a relay whose certificate the agent was handed directly (an in-process {@code EmbeddedRelay}), this
 * is stricter than trusting the CA that issued it and much cheaper: the JDK's PKIX validation builds and checks a
 * path, and on its first use loads and parses the JDK's whole {@code cacerts} file (to tell whether the trust anchor
 * is one of the JDK's own CAs), some 40 ms in a JVM that has just started. The handshake still proves that the server
 * holds the pinned certificate's private key (its CertificateVerify is checked against the certificate's key), and a
 * certificate pinned exactly needs no name check: no other server can present it. Server side checks only. Immutable.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final List<byte[]> pinned;

    /**
     * @param certificates the certificates to accept, at least one
     * @throws CertificateEncodingException if one cannot be encoded
     * @throws IllegalArgumentException     if there is none
     */
    PinnedTrustManager(List<X509Certificate> certificates) throws CertificateEncodingException {
        if (certificates.isEmpty()) throw new IllegalArgumentException("nothing to pin");
        List<byte[]> encoded = new ArrayList<>();
        for (X509Certificate c : certificates) encoded.add(c.getEncoded());
        this.pinned = List.copyOf(encoded);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) throw new PinnedCertificateException("the server sent no certificate");
        byte[] leaf = chain[0].getEncoded();
        for (byte[] p : pinned) {
            if (Arrays.equals(p, leaf)) {
                chain[0].checkValidity();
                return;
            }
        }
        throw new PinnedCertificateException("the server's certificate (" + chain[0].getSubjectX500Principal()
                + ") is not the one pinned");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a client context: it checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a client context: it checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client context: it checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
