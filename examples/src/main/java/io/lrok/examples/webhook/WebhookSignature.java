package io.lrok.examples.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures the way Stripe makes them: the header {@code Stripe-Signature: t=<unix seconds>,v1=<hex>}, where
 * the hex is HMAC-SHA256, keyed with the endpoint's secret, of {@code <t>.<raw body>}. The receiver recomputes it over
 * the body bytes it got, compares in constant time, and refuses a timestamp outside a tolerance (a replayed request).
 */
public final class WebhookSignature {
    /** The header that carries the signature. */
    public static final String HEADER = "Stripe-Signature";
    /** How far a signature's timestamp may be from the receiver's clock: Stripe's libraries default to 5 minutes. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private final byte[] secret;
    private final Duration tolerance;

    /**
     * @param secret    the endpoint's signing secret, shared by sender and receiver
     * @param tolerance how old (or how far ahead) a timestamp may be
     */
    public WebhookSignature(String secret, Duration tolerance) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.tolerance = tolerance;
    }

    /** @return the header value for this body, signed at {@code at} */
    public String sign(byte[] body, Instant at) {
        long t = at.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(hmac(t, body));
    }

    /**
     * @param header the {@value #HEADER} header as received, or null
     * @param body   the raw body bytes as received
     * @param now    the receiver's clock
     * @return empty if the signature is valid; otherwise why not
     */
    public Optional<String> verify(String header, byte[] body, Instant now) {
        if (header == null) return Optional.of("no " + HEADER + " header");
        Long t = null;
        boolean matched = false;
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length != 2) continue;
            if (kv[0].equals("t")) {
                try {
                    t = Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    return Optional.of("malformed timestamp");
                }
            }
        }
        if (t == null) return Optional.of("no timestamp");
        if (Duration.between(Instant.ofEpochSecond(t), now).abs().compareTo(tolerance) > 0) {
            return Optional.of("timestamp outside the tolerance of " + tolerance.toSeconds() + " s");
        }
        byte[] expected = hmac(t, body);
        // Several v1 entries are allowed while a secret is being rolled; any one may match.
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals("v1")) {
                byte[] given;
                try {
                    given = HexFormat.of().parseHex(kv[1]);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                matched |= MessageDigest.isEqual(expected, given);
            }
        }
        return matched ? Optional.empty() : Optional.of("signature does not match");
    }

    private byte[] hmac(long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
