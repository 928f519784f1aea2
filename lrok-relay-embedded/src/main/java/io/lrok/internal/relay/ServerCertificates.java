package io.lrok.internal.relay;

import io.lrok.internal.tls.IssuedCertificate;
import io.lrok.internal.tls.Pem;
import io.lrok.internal.tls.TlsContexts;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;

/**
 * Where a TLS listener of the relay gets its certificate: a fixed one (the embedded relay's generated leaf), or a
 * certificate chain and private key in PEM files, read again when either file's modification time changes. The
 * check happens when a connection is accepted ({@link #current()}); the new context replaces the old one
 * atomically, connections already open keep theirs. A reload that fails (a renewal half written, say) is logged
 * and the previous certificate stays in use.
 */
public abstract sealed class ServerCertificates {

    /**
     * @return the TLS 1.3 server context to use for the connection being accepted now
     */
    public abstract SSLContext current();

    /**
     * @param certificate a key and chain
     * @return a source that always presents it
     * @throws GeneralSecurityException if no context can be made from it
     */
    public static ServerCertificates fixed(IssuedCertificate certificate) throws GeneralSecurityException {
        return new Fixed(certificate.serverContext());
    }

    /**
     * Reads the files now, so that a bad file fails the start rather than the first connection.
     *
     * @param chain the certificate chain, leaf first (a {@code fullchain.pem})
     * @param key   the private key: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted
     * @return a source that reloads the files when they change
     * @throws IOException if a file cannot be read or parsed, or the key does not make a context with the chain
     */
    public static ServerCertificates files(Path chain, Path key) throws IOException {
        return new OnDisk(chain, key);
    }

    private static final class Fixed extends ServerCertificates {
        private final SSLContext context;

        Fixed(SSLContext context) {
            this.context = context;
        }

        @Override
        public SSLContext current() {
            return context;
        }
    }

    /** PEM files on disk; reloaded when a modification time changes. */
    private static final class OnDisk extends ServerCertificates {
        private static final System.Logger LOG = System.getLogger(ServerCertificates.class.getName());

        private final Path chainFile;
        private final Path keyFile;
        /** Serializes reloads, so a burst of new connections reads the files once; never held by readers. */
        private final ReentrantLock reloadLock = new ReentrantLock();
        private volatile Loaded loaded;

        private record Loaded(SSLContext context, FileTime chainTime, FileTime keyTime) {
        }

        OnDisk(Path chain, Path key) throws IOException {
            this.chainFile = Objects.requireNonNull(chain, "chain");
            this.keyFile = Objects.requireNonNull(key, "key");
            this.loaded = load();
        }

        @Override
        public SSLContext current() {
            Loaded now = loaded;
            if (unchanged(now)) return now.context();
            reloadLock.lock();
            try {
                now = loaded;
                if (unchanged(now)) return now.context();
                try {
                    Loaded fresh = load();
                    loaded = fresh;
                    LOG.log(Level.INFO, () -> "reloaded the TLS certificate from " + chainFile + " and " + keyFile);
                    return fresh.context();
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, () -> "cannot reload the TLS certificate from " + chainFile + " and "
                            + keyFile + ", still serving the previous one: " + e.getMessage());
                    return now.context();
                }
            } finally {
                reloadLock.unlock();
            }
        }

        private boolean unchanged(Loaded now) {
            try {
                return now.chainTime().equals(Files.getLastModifiedTime(chainFile))
                        && now.keyTime().equals(Files.getLastModifiedTime(keyFile));
            } catch (IOException e) {
                return true; // being replaced (moved away for a moment): keep serving what we have
            }
        }

        private Loaded load() throws IOException {
            FileTime chainTime = Files.getLastModifiedTime(chainFile);
            FileTime keyTime = Files.getLastModifiedTime(keyFile);
            List<X509Certificate> chain = Pem.readCertificates(chainFile);
            if (chain.isEmpty()) throw new IOException(chainFile + " holds no certificate");
            PrivateKey key = Pem.readPrivateKey(keyFile);
            try {
                return new Loaded(TlsContexts.server(key, chain), chainTime, keyTime);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use the certificate " + chainFile + " with the key " + keyFile + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
