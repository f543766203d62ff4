package dev.natsproof.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.testkit.game.SettlementLedger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettlementExampleTest {

  @Test
  @DisplayName("the README's settlement example ends with an exact ledger")
  void exactLedger() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc = SettlementExample.run(new String[] {"--battles", "300"}, new PrintStream(buf, true));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, out);
    assertTrue(out.contains("ledger credited 300 battles"), out);
    assertTrue(out.contains("30 of them duplicates absorbed"), out);
  }

  @Test
  @DisplayName("the ledger credits a battle once and counts the repeat")
  void ledgerIdempotent() {
    SettlementLedger l = new SettlementLedger();
    assertTrue(l.credit("battle-1", "p", 50));
    assertFalse(l.credit("battle-1", "p", 50));
    assertEquals(50, l.balance("p"));
    assertEquals(1, l.duplicatesIgnored());
  }
}
