package io.lrok.relay;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.lrok.internal.http.BodyFraming;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.ResponseHead;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A public client on a plain socket, for what java.net.http will not do: set Host, send malformed requests, keep
 * one connection for several requests and see exactly what comes back.
 */
final class RawClient implements AutoCloseable {
    /** A response as received: interim heads, the final head, the decoded body. */
    record Response(List<ResponseHead> interim, ResponseHead head, String body) {
        int status() {
            return head.status();
        }

        String header(String name) {
            return head.headers().get(name);
        }
    }

    final Socket socket;
    private final HttpReader reader;

    RawClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) FakeAgent.WAIT.toMillis());
        reader = new HttpReader(socket.getInputStream());
    }

    RawClient send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Sends a GET for {@code /path} with this Host, keeping the connection alive. */
    Response get(String host, String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        return read("GET");
    }

    /** Reads one response (1xx heads collected), its body decoded. */
    Response read(String method) throws IOException {
        List<ResponseHead> interim = new ArrayList<>();
        ResponseHead head;
        while (true) {
            head = reader.readResponseHead(HttpLimits.defaults());
            if (head == null) throw new IOException("the connection closed before a response");
            if (head.status() >= 200 || head.status() == 101) break;
            interim.add(head);
        }
        if (head.status() == 101) return new Response(interim, head, "");
        InputStream body = reader.body(BodyFraming.forResponse(method, head), HttpLimits.defaults());
        return new Response(interim, head, new String(body.readAllBytes(), ISO_8859_1));
    }

    /** @return the body stream of a response whose head was just read, undecoded after a 101 */
    InputStream rest() {
        return reader.untilClose();
    }

    /** @return whether the relay closed the connection (EOF) within the socket timeout */
    boolean closedByPeer() throws IOException {
        try {
            return socket.getInputStream().read() < 0 && reader.buffered() == 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
