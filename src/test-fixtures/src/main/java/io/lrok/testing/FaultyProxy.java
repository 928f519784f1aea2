package io.lrok.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A TCP proxy on {@code 127.0.0.1:<ephemeral>} in front of a target address that injects the
 * faults a tunnel must survive: cuts, a relay that is down, silent stalls, dead paths, one-way
 * loss and latency. For tests of reconnects, heartbeats and drains.
 *
 * <pre>{@code
 * try (FaultyProxy proxy = FaultyProxy.start(relay.address())) {
 *   // ... point the client at proxy.address(), wait until it is connected ...
 *   proxy.cutAndRefuse();                          // the relay goes away
 *   proxy.refuse(false);                           // and comes back
 *   proxy.awaitUntil(p -> p.connectionsAccepted() == 2, Duration.ofSeconds(10)); // reconnected
 * }
 * }</pre>
 *
 * <p>Each accepted connection gets a connection to the target and two pumps (virtual threads),
 * one per {@link Direction}. A pump reads a chunk, then passes it through the gate of its
 * direction: {@code FORWARD} writes it (after the {@link #delay}), {@code HOLD} waits
 * with the chunk and reads nothing more (so TCP flow control holds the rest in the kernels'
 * buffers), {@code DROP} discards it. End of stream and resets pass the same gate: they are
 * not forwarded while their direction is held or dropped, and flow when it forwards again. Modes
 * and the delay are proxy-wide: they apply to current and new connections.
 *
 * <p>Locks. {@code lock} guards the modes, the delay, {@code refusing}, {@code closed}, the set
 * of connections, each connection's {@code dead} and {@code ended} fields, and the counters; its
 * condition {@code changed} is signalled on every change of any of them (pumps wait on it at
 * their gate, {@link #awaitUntil} waits on it). No I/O is done while holding {@code lock}.
 * {@code listenerLock} guards the listening socket's life cycle ({@code listener},
 * {@code acceptor}): it is held while binding or closing the listener and while waiting for the
 * old acceptor to end (the acceptor never takes it), and may be held while taking {@code lock},
 * never the other way round.
 *
 * <p>Thread-safe. Failures to bind are {@link UncheckedIOException}s.
 */
public final class FaultyProxy implements AutoCloseable {

  /** A direction of the bytes through the proxy. */
  public enum Direction {
    /** From the client (who connected to the proxy) to the target. */
    UPSTREAM,
    /** From the target back to the client. */
    DOWNSTREAM
  }

  /** What the gate of a direction does with the chunks read. */
  private enum Mode {
    FORWARD, HOLD, DROP
  }

  /** Bytes a pump reads at once; also the most a held direction keeps in the proxy's memory. */
  private static final int CHUNK = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final long CLOSE_JOIN_MILLIS = 5_000;

  private final InetSocketAddress target;
  private final InetSocketAddress address;

  private final ReentrantLock listenerLock = new ReentrantLock();
  private ServerSocket listener; // guarded by listenerLock; null while refusing or closed
  private Thread acceptor; // guarded by listenerLock

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Direction, Mode> modes = new EnumMap<>(Direction.class); // guarded by lock
  private final Map<Direction, Long> forwarded = new EnumMap<>(Direction.class); // guarded by lock
  private final Map<Direction, Long> dropped = new EnumMap<>(Direction.class); // guarded by lock
  private final Set<Connection> connections = new LinkedHashSet<>(); // guarded by lock
  private final List<Thread> threads = new ArrayList<>(); // guarded by lock; pumps, for close()
  private long delayNanos; // guarded by lock
  private int accepted; // guarded by lock
  private boolean refusing; // guarded by lock
  private boolean closed; // guarded by lock

  private FaultyProxy(InetSocketAddress target, ServerSocket listener) {
    this.target = target;
    this.listener = listener;
    this.address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    for (Direction d : Direction.values()) {
      modes.put(d, Mode.FORWARD);
      forwarded.put(d, 0L);
      dropped.put(d, 0L);
    }
  }

  /** Starts a proxy on {@code 127.0.0.1} (an ephemeral port) that forwards to {@code target}. */
  public static FaultyProxy start(InetSocketAddress target) {
    Objects.requireNonNull(target, "target");
    FaultyProxy proxy = new FaultyProxy(target, bind(0));
    proxy.listenerLock.lock();
    try {
      proxy.acceptor = proxy.startAcceptor(proxy.listener);
    } finally {
      proxy.listenerLock.unlock();
    }
    return proxy;
  }

  /** Where clients connect: {@code 127.0.0.1} and a port that stays the same until {@link #close}. */
  public InetSocketAddress address() {
    return address;
  }

  /** The address the proxy forwards to. */
  public InetSocketAddress target() {
    return target;
  }

  /** Connections accepted since the start (including those cut, or whose target refused). */
  public int connectionsAccepted() {
    return locked(() -> accepted);
  }

  /** Connections accepted and not yet ended, cut or failed. */
  public int openConnections() {
    return locked(connections::size);
  }

  /** Bytes written to the destination of {@code direction}, over all connections. */
  public long bytesForwarded(Direction direction) {
    return locked(() -> forwarded.get(direction));
  }

  /** Bytes read and discarded by {@link #blackhole} in {@code direction}, over all connections. */
  public long bytesDropped(Direction direction) {
    return locked(() -> dropped.get(direction));
  }

  /**
   * Closes every current connection abruptly (RST to both the client and the target: they see a
   * reset, or end of stream); new connections are still accepted. Returns once they are closed.
   */
  public void cut() {
    List<Connection> victims;
    lock.lock();
    try {
      victims = List.copyOf(connections);
      for (Connection c : victims) {
        c.dead = true;
      }
      connections.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Connection c : victims) {
      c.abort();
    }
  }

  /** {@link #refuse refuse(true)}, then {@link #cut}: the relay is down. */
  public void cutAndRefuse() {
    refuse(true);
    cut();
  }

  /**
   * {@code true}: closes the listening socket, so that connecting fails ({@code ECONNREFUSED}),
   * without touching current connections. {@code false}: listens again on the same port.
   *
   * @throws UncheckedIOException if the port cannot be bound again (another process took it)
   */
  public void refuse(boolean refuse) {
    listenerLock.lock();
    try {
      lock.lock();
      try {
        if (closed) {
          throw new IllegalStateException("closed");
        }
        refusing = refuse;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (refuse && listener != null) {
        closeListener();
      } else if (!refuse && listener == null) {
        listener = bind(address.getPort());
        acceptor = startAcceptor(listener);
      }
    } finally {
      listenerLock.unlock();
    }
  }

  /**
   * Stops forwarding in both directions without closing anything: a silent, half-open network.
   * Bytes (and end of stream) are held, not dropped, and flow again on {@link #resume}.
   */
  public void stall() {
    setModes(Mode.HOLD, Direction.values());
  }

  /** {@link #stall} for one direction only. */
  public void stall(Direction direction) {
    setModes(Mode.HOLD, direction);
  }

  /** Like {@link #stall}, but bytes read are discarded (a dead path) until {@link #resume}. */
  public void blackhole() {
    setModes(Mode.DROP, Direction.values());
  }

  /** {@link #blackhole} for one direction only: the other one keeps flowing. */
  public void blackhole(Direction direction) {
    setModes(Mode.DROP, direction);
  }

  /** Forwards in both directions again (ends {@link #stall} and {@link #blackhole}). */
  public void resume() {
    setModes(Mode.FORWARD, Direction.values());
  }

  /**
   * Holds each chunk for {@code delay} after it is read before writing it, in order;
   * {@link Duration#ZERO} turns it off. A pump waits out each chunk before reading the next, so
   * the delay limits a bulk transfer to one chunk (64 KiB) per delay per direction.
   */
  public void delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + delay);
    }
    lock.lock();
    try {
      delayNanos = delay.toNanos();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code condition} holds for this proxy, e.g. {@code p -> p.openConnections() == 0}.
   * The condition is evaluated under the proxy's lock whenever its state changes, so it must only
   * read this proxy's state.
   *
   * @throws AssertionError if it does not hold within {@code timeout}, with the proxy's state
   */
  public void awaitUntil(Predicate<FaultyProxy> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!condition.test(this)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the condition on the proxy did not hold within " + timeout + ": " + this);
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting on the proxy: " + this, e);
    } finally {
      lock.unlock();
    }
  }

  /** Stops accepting, cuts every connection, waits (bounded) for the pumps, frees the port. */
  @Override
  public void close() {
    listenerLock.lock();
    try {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (listener != null) {
        closeListener();
      }
    } finally {
      listenerLock.unlock();
    }
    cut();
    List<Thread> pumps = locked(() -> List.copyOf(threads));
    try {
      for (Thread t : pumps) {
        t.join(CLOSE_JOIN_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return locked(() -> "FaultyProxy[" + address + " -> " + target + ", modes=" + modes
        + ", delay=" + Duration.ofNanos(delayNanos) + ", refusing=" + refusing + ", closed=" + closed
        + ", accepted=" + accepted + ", open=" + connections.size()
        + ", forwarded=" + forwarded + ", dropped=" + dropped + "]");
  }

  // ---- implementation ----

  private static ServerSocket bind(int port) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true); // rebinding after refuse(false) while accepted sockets still use the port
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  /**
   * Closes the listener and waits for its acceptor to end: a socket closed while a thread is
   * blocked in accept keeps its port until that thread wakes up. Caller holds listenerLock.
   */
  private void closeListener() {
    closeQuietly(listener);
    listener = null;
    try {
      if (!acceptor.join(Duration.ofMillis(CLOSE_JOIN_MILLIS))) {
        throw new IllegalStateException("the acceptor did not end within " + CLOSE_JOIN_MILLIS + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    acceptor = null;
  }

  private Thread startAcceptor(ServerSocket server) {
    return Thread.ofVirtual().name("faulty-proxy-accept-" + address.getPort()).start(() -> {
      while (true) {
        Socket client;
        try {
          client = server.accept();
        } catch (IOException e) {
          return; // closed by refuse(true) or close()
        }
        Connection c = new Connection(client);
        boolean turnedAway;
        lock.lock();
        try {
          turnedAway = closed || refusing; // accepted from the backlog just before the listener closed
          if (!turnedAway) {
            accepted++;
            connections.add(c);
            changed.signalAll();
            threads.removeIf(t -> !t.isAlive());
            threads.add(Thread.ofVirtual().name("faulty-proxy-down-" + client.getPort()).unstarted(c::run));
            threads.getLast().start();
          }
        } finally {
          lock.unlock();
        }
        if (turnedAway) {
          c.abort();
        }
      }
    });
  }

  private void setModes(Mode mode, Direction... directions) {
    lock.lock();
    try {
      for (Direction d : directions) {
        modes.put(Objects.requireNonNull(d, "direction"), mode);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing is best effort
    }
  }

  /** What a pump's gate decided for the chunk (or end of stream) it holds. */
  private enum Passage {
    WRITE, DISCARD, DEAD
  }

  /** One client connection, its target connection, and their two pumps. */
  private final class Connection {
    private final Socket client;
    private volatile Socket server; // set once by run(), before the upstream pump starts
    private boolean dead; // guarded by lock: cut, failed, or ended; pumps stop
    private int ended; // guarded by lock: directions whose end of stream was forwarded

    Connection(Socket client) {
      this.client = client;
    }

    /** Connects to the target, then pumps downstream here and upstream on a new virtual thread. */
    void run() {
      Socket s = new Socket();
      try {
        client.setTcpNoDelay(true);
        s.setTcpNoDelay(true);
        s.connect(target, CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        closeQuietly(s);
        fail();
        return;
      }
      server = s;
      boolean cutWhileConnecting;
      lock.lock();
      try {
        cutWhileConnecting = dead;
        if (!cutWhileConnecting) {
          threads.add(Thread.ofVirtual().name("faulty-proxy-up-" + client.getPort())
              .unstarted(() -> pump(Direction.UPSTREAM, client, s)));
          threads.getLast().start();
        }
      } finally {
        lock.unlock();
      }
      if (cutWhileConnecting) {
        abortQuietly(s);
        return;
      }
      pump(Direction.DOWNSTREAM, s, client);
    }

    private void pump(Direction direction, Socket from, Socket to) {
      byte[] buf = new byte[CHUNK];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n;
          boolean reset = false;
          try {
            n = in.read(buf);
          } catch (IOException e) {
            n = -1;
            reset = true;
          }
          Passage passage = gate(direction, n, System.nanoTime());
          if (passage == Passage.DEAD) {
            return;
          }
          if (n < 0) {
            if (reset) {
              fail(); // pass the reset on: RST both sides
            } else {
              to.shutdownOutput();
              ended();
            }
            return;
          }
          if (passage == Passage.WRITE) {
            out.write(buf, 0, n);
          }
          count(direction, passage, n);
        }
      } catch (IOException e) {
        fail(); // a write failed: the destination is gone, or we were cut
      }
    }

    /** Waits until the chunk of {@code n} bytes ({@code -1}: end of stream) may pass. */
    private Passage gate(Direction direction, int n, long readAt) {
      lock.lock();
      try {
        while (true) {
          if (dead || closed) {
            return Passage.DEAD;
          }
          Mode mode = modes.get(direction);
          if (mode == Mode.DROP && n >= 0) {
            return Passage.DISCARD;
          }
          if (mode == Mode.FORWARD) {
            long left = readAt + delayNanos - System.nanoTime();
            if (left <= 0) {
              return Passage.WRITE;
            }
            changed.awaitNanos(left);
          } else {
            changed.await(); // held (or an end of stream while dropping): until the mode changes
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Passage.DEAD;
      } finally {
        lock.unlock();
      }
    }

    private void count(Direction direction, Passage passage, int n) {
      lock.lock();
      try {
        Map<Direction, Long> counter = passage == Passage.WRITE ? forwarded : dropped;
        counter.merge(direction, (long) n, Long::sum);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** One direction's end of stream was forwarded; after both, the connection is over. */
    private void ended() {
      boolean over;
      lock.lock();
      try {
        over = ++ended == 2 && !dead;
        if (over) {
          dead = true;
          connections.remove(this);
          changed.signalAll();
        }
      } finally {
        lock.unlock();
      }
      if (over) {
        closeQuietly(client);
        closeQuietly(server);
      }
    }

    /** Ends the connection abruptly (a reset, a failed write or connect): RST both sides. */
    private void fail() {
      lock.lock();
      try {
        dead = true;
        connections.remove(this);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      abort();
    }

    /** Closes both sockets with an RST. The caller has marked the connection dead. */
    void abort() {
      abortQuietly(client);
      Socket s = server;
      if (s != null) {
        abortQuietly(s);
      }
    }

    private static void abortQuietly(Socket s) {
      try {
        s.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // already closed
      }
      closeQuietly(s);
    }
  }
}
