package io.lrok.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot app whose {@code dev} profile gives it a public URL ({@link DevTunnel}):
 * {@code java ... io.lrok.examples.spring.DevApp --spring.profiles.active=dev} logs
 * {@code lrok: public URL http://... -> http://127.0.0.1:<server port>}.
 */
@SpringBootApplication
public class DevApp {

    /** @param args Spring Boot's arguments, such as {@code --spring.profiles.active=dev} */
    public static void main(String[] args) {
        SpringApplication.run(DevApp.class, args);
    }

    /** The app itself: one endpoint. */
    @RestController
    static class HelloController {
        @GetMapping("/hello")
        String hello(@RequestHeader(name = "X-Forwarded-For", required = false) String forwardedFor) {
            return "hello from spring" + (forwardedFor == null ? "" : " (via lrok, for " + forwardedFor + ")");
        }
    }
}
