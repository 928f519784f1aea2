package io.lrok.internal.wire;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message on the control stream. Immutable records; the constructors check what the codec cannot express in
 * types (ranges, pairs of fields), so a record that exists is one that may be sent. Optional fields are null when
 * absent; on the wire they are omitted. {@link ControlCodec} reads and writes them.
 */
public sealed interface ControlMessage {

    /** @return the wire name of the message, the JSON {@code "type"} */
    String type();

    /**
     * Agent → relay, first message of a session.
     *
     * @param version       the agent's {@link Protocol#VERSION}
     * @param token         the credential, null when the relay needs none
     * @param client        the agent's name and version, such as {@code lrok-java/0.1.0}: for logs
     * @param resumeSession the session to resume after a reconnect, from an earlier welcome; null for a new one
     * @param resumeSecret  that welcome's resume secret; given exactly when {@code resumeSession} is
     * @param features      the optional behaviours the agent supports ({@link Protocol#FEATURE_HTTP_STREAM_REUSE});
     *                      names the relay does not know are ignored; never null (empty when absent on the wire)
     */
    record Hello(int version, String token, String client, String resumeSession, String resumeSecret,
            List<String> features) implements ControlMessage {
        /** Checks the fields. */
        public Hello {
            Objects.requireNonNull(client, "client");
            if ((resumeSession == null) != (resumeSecret == null)) {
                throw new IllegalArgumentException("resumeSession and resumeSecret go together");
            }
            features = features == null ? List.of() : List.copyOf(features);
        }

        /** A hello without features. */
        public Hello(int version, String token, String client, String resumeSession, String resumeSecret) {
            this(version, token, client, resumeSession, resumeSecret, List.of());
        }

        /** @param token the credential, or null @param client the agent's name @return a hello for a new session */
        public static Hello create(String token, String client) {
            return new Hello(Protocol.VERSION, token, client, null, null);
        }

        /** @param welcome the earlier session's welcome @return this hello, asking to resume that session */
        public Hello resuming(Welcome welcome) {
            return new Hello(version, token, client, welcome.sessionId(), welcome.resumeSecret(), features);
        }

        /** @param names the features to offer @return this hello, offering them instead of its own */
        public Hello withFeatures(List<String> names) {
            return new Hello(version, token, client, resumeSession, resumeSecret, names);
        }

        /** @param name a feature @return whether the agent offers it */
        public boolean supports(String name) {
            return features.contains(name);
        }

        @Override
        public String type() {
            return "hello";
        }
    }

    /**
     * Relay → agent, the answer to an accepted hello.
     *
     * @param version      the protocol version of the session: the one the agent sent
     * @param sessionId    names the session, for logs and for {@link Hello#resumeSession()}
     * @param resumeSecret the secret that proves a reconnecting agent owns the session; keep it private
     * @param relay        the name of the relay node, for logs
     * @param domain       the domain public hostnames are under, such as {@code lrok.example}
     */
    record Welcome(int version, String sessionId, String resumeSecret, String relay, String domain)
            implements ControlMessage {
        /** Checks the fields. */
        public Welcome {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(resumeSecret, "resumeSecret");
            Objects.requireNonNull(relay, "relay");
            Objects.requireNonNull(domain, "domain");
        }

        @Override
        public String type() {
            return "welcome";
        }
    }

    /**
     * Agent → relay: open a tunnel. Answered by a {@link Bound} or an {@link ErrorMessage} with the same id.
     *
     * @param id        chosen by the agent, unique within the session, 0 to {@link Protocol#MAX_ID}
     * @param proto     what the tunnel carries
     * @param subdomain the wanted subdomain of an HTTP tunnel; null for one the relay picks
     * @param port      the wanted public port of a TCP tunnel (1–65535); null for one the relay picks
     */
    record Bind(long id, Proto proto, String subdomain, Integer port) implements ControlMessage {
        /** Checks the fields; whether they make sense together is the relay's call (it answers bad_request). */
        public Bind {
            checkId(id);
            Objects.requireNonNull(proto, "proto");
            if (port != null && (port < 1 || port > 65_535)) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
            }
        }

        @Override
        public String type() {
            return "bind";
        }
    }

    /**
     * Relay → agent: the tunnel of bind {@code id} is open.
     *
     * @param id        the bind's id
     * @param tunnelId  names the tunnel in stream headers and {@link Unbind}
     * @param publicUrl where the public reaches it: {@code https://violet-mole.lrok.example}, {@code
     *                  tcp://lrok.example:40123}
     * @param subdomain for an HTTP tunnel, the name it holds (also when the URL does not show it: a relay without a
     *                  domain gives each tunnel a port of its own), for the agent to ask for again after a
     *                  reconnect; null for a TCP tunnel, or from a relay that does not say
     */
    record Bound(long id, String tunnelId, URI publicUrl, String subdomain) implements ControlMessage {
        /** Checks the fields. */
        public Bound {
            checkId(id);
            Objects.requireNonNull(tunnelId, "tunnelId");
            Objects.requireNonNull(publicUrl, "publicUrl");
            if (!publicUrl.isAbsolute()) throw new IllegalArgumentException("publicUrl must be absolute: " + publicUrl);
            if (subdomain != null && !Names.isValidSubdomain(subdomain)) {
                throw new IllegalArgumentException("not a valid subdomain: " + subdomain);
            }
        }

        /** A bound that names no subdomain: a TCP tunnel's. */
        public Bound(long id, String tunnelId, URI publicUrl) {
            this(id, tunnelId, publicUrl, null);
        }

        @Override
        public String type() {
            return "bound";
        }
    }

    /**
     * Either way, no answer: the sender closes the tunnel. The relay routes no new exchanges to it; streams already
     * open run to their end.
     *
     * @param tunnelId the tunnel, from {@link Bound#tunnelId()}
     */
    record Unbind(String tunnelId) implements ControlMessage {
        /** Checks the field. */
        public Unbind {
            Objects.requireNonNull(tunnelId, "tunnelId");
        }

        @Override
        public String type() {
            return "unbind";
        }
    }

    /**
     * Either way, no answer: the sender will close the session after {@code graceMillis}. Open no new streams;
     * finish those open. An agent told this by its relay reconnects (resuming) at once.
     *
     * @param reason      for a person, such as {@code relay restarting}
     * @param graceMillis how long the sender keeps the session open, in milliseconds, at least 0
     */
    record Shutdown(String reason, long graceMillis) implements ControlMessage {
        /** Checks the fields. */
        public Shutdown {
            Objects.requireNonNull(reason, "reason");
            if (graceMillis < 0) throw new IllegalArgumentException("graceMillis must not be negative: " + graceMillis);
        }

        @Override
        public String type() {
            return "shutdown";
        }
    }

    /**
     * Either way: a refusal. With an id it answers that bind only and the session goes on; without one it ends
     * the session, and the sender closes the connection after sending it.
     *
     * @param code    what went wrong
     * @param message for a person
     * @param id      the bind it answers, or null
     */
    record ErrorMessage(ErrorCode code, String message, Long id) implements ControlMessage {
        /** Checks the fields. */
        public ErrorMessage {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            if (id != null) checkId(id);
        }

        @Override
        public String type() {
            return "error";
        }
    }

    /**
     * A message type this version does not know, from a newer peer: kept so the receiver can log and ignore it.
     *
     * @param type   its type
     * @param fields its other members, in order, as {@link io.lrok.internal.json.Json} values; unmodifiable
     */
    record Unknown(String type, Map<String, Object> fields) implements ControlMessage {
        /** Checks that the type is really unknown, and copies the fields. */
        public Unknown {
            Objects.requireNonNull(type, "type");
            if (ControlCodec.isKnownType(type)) throw new IllegalArgumentException("not an unknown type: " + type);
            if (fields.containsKey("type")) throw new IllegalArgumentException("fields must not hold \"type\"");
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields)); // Map.copyOf refuses JSON nulls
        }
    }

    private static void checkId(long id) {
        if (id < 0 || id > Protocol.MAX_ID) {
            throw new IllegalArgumentException("id must be between 0 and " + Protocol.MAX_ID + ": " + id);
        }
    }
}
