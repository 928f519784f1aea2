package io.lrok.junit;

import io.lrok.HttpTunnelBuilder;
import io.lrok.Tunnel;
import io.lrok.TunnelException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstances;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The JUnit 5 extension behind {@link WithPublicUrl}: opens the tunnel when its port is known, injects it, and
 * closes it when its scope (the class or the test method) ends. Registered by the annotation; there is no need to
 * name it. Each tunnel lives in the JUnit store of the context it belongs to, so tests running in parallel each
 * find their own (or share their class's), and JUnit closes it with that context.
 */
public final class WithPublicUrlExtension
        implements BeforeAllCallback, BeforeEachCallback, BeforeTestExecutionCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(WithPublicUrlExtension.class);

    /** Made by JUnit, from {@link WithPublicUrl}'s {@code @ExtendWith}. */
    public WithPublicUrlExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Scoped scoped = scopeOf(context);
        // A class whose annotation names the port opens before its @BeforeAll methods, so they can use the URL.
        // A failure is kept and reported by each test (in beforeEach), where reports show it, not by the class.
        if (scoped != null && scoped.holder.spec.port() > 0 && scoped.holder.tryOpen(context)) {
            injectStaticFields(context, scoped.holder);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Scoped scoped = scopeOf(context);
        if (scoped == null) return;
        if (scoped.holder.spec.port() > 0) scoped.holder.open(context);
        // Fields are set now when the tunnel is already up, so @BeforeEach methods can use them.
        if (scoped.holder.isOpen()) injectFields(context, scoped.holder);
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        Scoped scoped = scopeOf(context);
        if (scoped == null) return;
        scoped.holder.open(context); // at the latest now: after @BeforeEach, which may have started the server
        injectFields(context, scoped.holder);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return (type == Tunnel.class || type == URI.class) && scopeOf(context) != null;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Scoped scoped = scopeOf(context);
        if (scoped == null) throw new ParameterResolutionException("no @WithPublicUrl applies to " + context.getDisplayName());
        Tunnel tunnel;
        try {
            tunnel = scoped.holder.open(context);
        } catch (ExtensionConfigurationException e) {
            throw new ParameterResolutionException(e.getMessage(), e.getCause());
        }
        return parameter.getParameter().getType() == Tunnel.class ? tunnel : tunnel.publicUrl();
    }

    /** The tunnel that applies to a context, and the context it lives in. */
    private record Scoped(Holder holder) {
    }

    /**
     * The tunnel for a context: its test method's own if the method is annotated, else that of the nearest
     * annotated class among the test class and the classes enclosing it ({@code @Nested}); null if none.
     */
    private static Scoped scopeOf(ExtensionContext context) {
        Optional<Method> method = context.getTestMethod();
        if (method.isPresent() && context.getElement().filter(e -> e instanceof Method).isPresent()) {
            Optional<WithPublicUrl> own = AnnotationSupport.findAnnotation(method.get(), WithPublicUrl.class);
            if (own.isPresent()) return new Scoped(holder(context, own.get(), "test method " + method.get().getName()));
        }
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isPresent() && element.get() instanceof Class<?> type) {
                Optional<WithPublicUrl> annotation = AnnotationSupport.findAnnotation(type, WithPublicUrl.class);
                if (annotation.isPresent()) return new Scoped(holder(c, annotation.get(), "class " + type.getName()));
            }
        }
        return null;
    }

    private static Holder holder(ExtensionContext owner, WithPublicUrl spec, String where) {
        // Keyed by the owner's id: a store also answers with its parents' values, and nested scopes must not mix.
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(owner.getUniqueId(), key -> new Holder(spec, where),
                Holder.class);
    }

    /** Sets the {@link PublicUrl} fields of every test instance of the context (an outer one too), static ones too. */
    private static void injectFields(ExtensionContext context, Holder holder) {
        Optional<TestInstances> instances = context.getTestInstances();
        injectStaticFields(context, holder);
        if (instances.isEmpty()) return;
        for (Object instance : instances.get().getAllInstances()) {
            for (Field field : AnnotationSupport.findAnnotatedFields(instance.getClass(), PublicUrl.class)) {
                if (!Modifier.isStatic(field.getModifiers())) set(field, instance, holder.tunnel());
            }
        }
    }

    private static void injectStaticFields(ExtensionContext context, Holder holder) {
        for (Class<?> type : classChain(context.getRequiredTestClass())) {
            for (Field field : AnnotationSupport.findAnnotatedFields(type, PublicUrl.class)) {
                if (Modifier.isStatic(field.getModifiers())) set(field, null, holder.tunnel());
            }
        }
    }

    private static void set(Field field, Object target, Tunnel tunnel) {
        Object value;
        if (field.getType() == Tunnel.class) value = tunnel;
        else if (field.getType() == URI.class) value = tunnel.publicUrl();
        else throw new ExtensionConfigurationException("@PublicUrl field " + describe(field) + " must be of type "
                + "io.lrok.Tunnel or java.net.URI, not " + field.getType().getName());
        if (Modifier.isFinal(field.getModifiers())) {
            throw new ExtensionConfigurationException("@PublicUrl field " + describe(field) + " must not be final");
        }
        try {
            field.setAccessible(true);
            field.set(target, value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException("cannot set @PublicUrl field " + describe(field) + ": " + e
                    + " (on the module path, open the test package to io.lrok.client)", e);
        }
    }

    /** The test class, then the classes it is nested in, innermost first. */
    private static List<Class<?>> classChain(Class<?> testClass) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) chain.add(c);
        return chain;
    }

    private static String describe(Member member) {
        return member.getDeclaringClass().getSimpleName() + "." + member.getName()
                + (member instanceof Method ? "()" : "");
    }

    /**
     * Finds the port: the annotation's, else the one {@link LocalPort} member in the test class (or its
     * superclasses), else in the classes it is nested in, innermost first.
     */
    static int port(WithPublicUrl spec, ExtensionContext context, String where) {
        if (spec.port() < 0 || spec.port() > 65_535) {
            throw new ExtensionConfigurationException("@WithPublicUrl on " + where + ": port " + spec.port()
                    + " is not a port (1-65535, or 0 to read it from a @LocalPort member)");
        }
        if (spec.port() > 0) return spec.port();
        for (Class<?> type : classChain(context.getRequiredTestClass())) {
            List<Member> members = new ArrayList<>();
            members.addAll(AnnotationSupport.findAnnotatedFields(type, LocalPort.class));
            members.addAll(AnnotationSupport.findAnnotatedMethods(type, LocalPort.class, HierarchyTraversalMode.TOP_DOWN));
            if (members.isEmpty()) continue;
            if (members.size() > 1) {
                throw new ExtensionConfigurationException("@WithPublicUrl on " + where + ": more than one @LocalPort "
                        + "member in " + type.getName() + ": " + members.stream().map(WithPublicUrlExtension::describe)
                        .toList() + "; keep one, or name the port with @WithPublicUrl(port = ...)");
            }
            return read(members.get(0), context, where);
        }
        throw new ExtensionConfigurationException("@WithPublicUrl on " + where + " names no port: write "
                + "@WithPublicUrl(port = 8080), or annotate a field or no-argument method of the test class that gives "
                + "the port of the server the test started with @io.lrok.junit.LocalPort");
    }

    private static int read(Member member, ExtensionContext context, String where) {
        Object target = null;
        if (!Modifier.isStatic(member.getModifiers())) {
            Optional<Object> instance = context.getTestInstances()
                    .flatMap(instances -> instances.findInstance(member.getDeclaringClass()).map(Object.class::cast));
            if (instance.isEmpty()) {
                throw new ExtensionConfigurationException("@WithPublicUrl on " + where + ": @LocalPort "
                        + describe(member) + " belongs to a test instance, and none exists yet when the class's tunnel "
                        + "is needed; make it static, or annotate the class @TestInstance(Lifecycle.PER_CLASS)");
            }
            target = instance.get();
        }
        Object value;
        try {
            if (member instanceof Method method) {
                if (method.getParameterCount() != 0) {
                    throw new ExtensionConfigurationException("@LocalPort method " + describe(member)
                            + " must take no arguments");
                }
                value = ReflectionSupport.invokeMethod(method, target);
            } else {
                Field field = (Field) member;
                field.setAccessible(true);
                value = field.get(target);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (e instanceof ExtensionConfigurationException configuration) throw configuration;
            throw new ExtensionConfigurationException("@WithPublicUrl on " + where + ": cannot read @LocalPort "
                    + describe(member) + ": " + e, e);
        }
        if (!(value instanceof Integer port)) {
            throw new ExtensionConfigurationException("@WithPublicUrl on " + where + ": @LocalPort " + describe(member)
                    + " gave " + value + "; it must be an int or Integer (has the server started yet?)");
        }
        if (port < 1 || port > 65_535) {
            throw new ExtensionConfigurationException("@WithPublicUrl on " + where + ": @LocalPort " + describe(member)
                    + " is " + port + " when the tunnel opens: start the server in a @BeforeAll or @BeforeEach method "
                    + "and keep its port there");
        }
        return port;
    }

    /**
     * One scope's tunnel, opened once, on first need, and closed by JUnit with the scope's context. A failure to open
     * is kept, so every test of a class fails with the same message instead of trying again.
     */
    static final class Holder implements ExtensionContext.Store.CloseableResource {
        final WithPublicUrl spec;
        private final String where;
        /** Guards {@link #tunnel}, {@link #failure} and {@link #closed}; held while the tunnel opens, so parallel
         *  tests of one class wait for the one tunnel instead of opening several. */
        private final ReentrantLock lock = new ReentrantLock();
        private Tunnel tunnel;
        private ExtensionConfigurationException failure;
        private boolean closed;

        Holder(WithPublicUrl spec, String where) {
            this.spec = spec;
            this.where = where;
        }

        boolean isOpen() {
            lock.lock();
            try {
                return tunnel != null;
            } finally {
                lock.unlock();
            }
        }

        /** @return the open tunnel; only after {@link #open} succeeded */
        Tunnel tunnel() {
            lock.lock();
            try {
                if (tunnel == null) throw new IllegalStateException("the tunnel of " + where + " is not open");
                return tunnel;
            } finally {
                lock.unlock();
            }
        }

        /** @return whether the tunnel is open; if it cannot open, the failure is kept for {@link #open} to throw */
        boolean tryOpen(ExtensionContext context) {
            try {
                open(context);
                return true;
            } catch (ExtensionConfigurationException e) {
                return false;
            }
        }

        Tunnel open(ExtensionContext context) {
            lock.lock();
            try {
                if (tunnel != null) return tunnel;
                if (failure != null) throw failure;
                if (closed) throw new ExtensionConfigurationException("the tunnel of " + where + " is closed");
                try {
                    int port = port(spec, context, where);
                    tunnel = builder(port).open();
                    return tunnel;
                } catch (TunnelException e) {
                    failure = new ExtensionConfigurationException(openFailure(e), e);
                    throw failure;
                } catch (ExtensionConfigurationException e) {
                    failure = e;
                    throw e;
                } catch (IllegalArgumentException e) {
                    failure = new ExtensionConfigurationException("@WithPublicUrl on " + where + ": " + e.getMessage(), e);
                    throw failure;
                }
            } finally {
                lock.unlock();
            }
        }

        private HttpTunnelBuilder builder(int port) {
            HttpTunnelBuilder builder = Tunnel.http(port).inspector(spec.inspector());
            if (!spec.subdomain().isEmpty()) builder.subdomain(spec.subdomain());
            if (spec.rewriteHostHeader()) builder.rewriteHostHeader();
            if (!spec.relay().isBlank()) builder.relay(URI.create(spec.relay().strip()));
            return builder;
        }

        private String openFailure(TunnelException e) {
            return "@WithPublicUrl on " + where + " could not open a tunnel [" + e.code() + "]: " + e.getMessage()
                    + "\nWhere the relay comes from: @WithPublicUrl(relay = \"lrok://relay.example.com\"), else "
                    + "-Dlrok.relay=... (and -Dlrok.authtoken=...), else LROK_RELAY (and LROK_AUTHTOKEN), else relay= "
                    + "and authtoken= in ~/.config/lrok/config.properties (written by `lrok login <token> --relay ...`), "
                    + "else a relay inside the test JVM when io.lrok:lrok-relay-embedded is a test dependency.";
        }

        @Override
        public void close() {
            Tunnel open;
            lock.lock();
            try {
                closed = true;
                open = tunnel;
            } finally {
                lock.unlock();
            }
            if (open != null) open.close();
        }
    }
}
