package io.lrok.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server's key manager for exactly one key and chain, held as they are in memory. The JDK's key managers read keys
 * from a {@link java.security.KeyStore}, and a PKCS#12 store encrypts every key entry with a password (PBKDF2, 10,000
 * rounds of HMAC-SHA256) when it is put in and decrypts it again when the first handshake asks for it: some 100 ms
 * each way in a JVM that has just started, for a key that never leaves this process. Presents the chain for every
 * handshake whose signature algorithms allow its key type, whatever certificate authorities the client names (a
 * server with one certificate has no other to offer). Server side only. Immutable.
 */
final class FixedKeyManager extends X509ExtendedKeyManager {
    /** The one alias. */
    static final String ALIAS = "lrok";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    /**
     * @param key   the private key of the chain's first certificate
     * @param chain the certificate chain, leaf first
     * @throws IllegalArgumentException if the chain is empty
     */
    FixedKeyManager(PrivateKey key, List<X509Certificate> chain) {
        if (chain.isEmpty()) throw new IllegalArgumentException("a server needs a certificate");
        this.key = Objects.requireNonNull(key, "key");
        this.chain = chain.toArray(X509Certificate[]::new);
    }

    private String aliasFor(String keyType) {
        return key.getAlgorithm().equals(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null; // never a client
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
