package io.lrok.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ExternalProgramsTest {

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void findsAProgramOnThePath() {
    assertThat(ExternalPrograms.findOnPath("sh")).hasValueSatisfying(p -> assertThat(Files.isExecutable(p)).isTrue());
    assertThat(ExternalPrograms.findOnPath("no-such-program-lrok-" + System.nanoTime())).isEmpty();
  }

  @Test
  void requireDoesNothingWhenAvailable() {
    ExternalPrograms.require("something", true, "nothing to do");
  }
}
