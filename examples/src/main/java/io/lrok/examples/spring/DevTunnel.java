package io.lrok.examples.spring;

import io.lrok.Tunnel;
import io.lrok.TunnelException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * In the {@code dev} profile, gives the app a public URL once its web server has started, to the port it actually
 * got ({@code server.port=0} and tests' random ports included), and logs it; closes the tunnel with the context.
 * The relay is the configured one ({@code LROK_RELAY}, {@code -Dlrok.relay}, {@code lrok login}), else a relay inside
 * the JVM (lrok-relay-embedded on the class path): then the URL works from this machine only.
 */
@Component
@Profile("dev")
public class DevTunnel implements ApplicationListener<WebServerInitializedEvent>, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(DevTunnel.class);

    private final AtomicReference<Tunnel> tunnel = new AtomicReference<>();

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        // A management server on a port of its own starts one too (namespace "management"); only the app's counts.
        if ("management".equals(event.getApplicationContext().getServerNamespace())) return;
        int port = event.getWebServer().getPort();
        try {
            Tunnel opened = Tunnel.http(port).open();
            Tunnel previous = tunnel.getAndSet(opened);
            if (previous != null) previous.close();
            LOG.info("lrok: public URL {} -> {}", opened.publicUrl(), opened.localUrl());
            opened.inspectorUrl().ifPresent(url -> LOG.info("lrok: inspector {}", url));
        } catch (TunnelException e) {
            // The app runs on without a public URL; the message says what to configure.
            LOG.warn("lrok: no public URL for port {}: [{}] {}", port, e.code(), e.getMessage());
        }
    }

    /** @return the public URL, once the web server has started and the tunnel is open */
    public Optional<URI> publicUrl() {
        return Optional.ofNullable(tunnel.get()).map(Tunnel::publicUrl);
    }

    /** @return the tunnel, once open: to read what came through it */
    public Optional<Tunnel> tunnel() {
        return Optional.ofNullable(tunnel.get());
    }

    @Override
    public void destroy() {
        Tunnel open = tunnel.getAndSet(null);
        if (open != null) open.close();
    }
}
