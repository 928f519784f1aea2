package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HostsTest {

    @Test
    void normalizeLowercasesAndDropsPortAndTrailingDot() {
        assertThat(Hosts.normalize("Violet-Mole.Example.COM.:8080")).isEqualTo("violet-mole.example.com");
        assertThat(Hosts.normalize("a.localhost")).isEqualTo("a.localhost");
        assertThat(Hosts.normalize(" a.localhost:1 ")).isEqualTo("a.localhost");
        assertThat(Hosts.normalize("[::1]:8080")).isEqualTo("[::1]");
        assertThat(Hosts.normalize("host:")).isEqualTo("host:");
        assertThat(Hosts.normalize("")).isEmpty();
    }

    @Test
    void subdomainIsOneValidLabelUnderTheDomain() {
        assertThat(Hosts.subdomain("violet-mole.example.com", "example.com")).isEqualTo("violet-mole");
        assertThat(Hosts.subdomain("APP.localhost.:80", "localhost")).isEqualTo("app");
        assertThat(Hosts.subdomain("a.b.example.com", "example.com")).isNull();
        assertThat(Hosts.subdomain("example.com", "example.com")).isNull();
        assertThat(Hosts.subdomain("xexample.com", "example.com")).isNull();
        assertThat(Hosts.subdomain(".example.com", "example.com")).isNull();
        assertThat(Hosts.subdomain("bad_name.example.com", "example.com")).isNull();
        assertThat(Hosts.subdomain("app.example.org", "example.com")).isNull();
        assertThat(Hosts.subdomain("127.0.0.1:8080", "localhost")).isNull();
    }

    @Test
    void domainsAreCheckedAndNormalized() {
        assertThat(Hosts.checkDomain("Tunnels.Example.COM.")).isEqualTo("tunnels.example.com");
        assertThat(Hosts.checkDomain("localhost")).isEqualTo("localhost");
        for (String bad : new String[] {"", ".", "a..b", "-a.com", "a_b.com", "a b.com", "x".repeat(64) + ".com"}) {
            assertThatThrownBy(() -> Hosts.checkDomain(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
