package org.fedcxr.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.fedcxr.config.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientPartitionerTest {
  /** 400 patients with 1-5 images each and 15 classes of very different sizes. */
  static List<PatientGroup> patients() {
    SplittableRandom rnd = new SplittableRandom(1);
    List<PatientGroup> out = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int cls = Math.min(14, (int) Math.floor(-Math.log(1 - rnd.nextDouble()) * 4));
      out.add(new PatientGroup("p" + i, 1 + rnd.nextInt(5), cls));
    }
    return out;
  }

  private static int[] sizes(ClientAssignment a, List<PatientGroup> patients, int k) {
    int[] s = new int[k];
    for (PatientGroup p : patients) {
      s[a.clientOfPatient().get(p.patientId())] += p.images();
    }
    return s;
  }

  @ParameterizedTest
  @ValueSource(strings = {"noniid", "iid", "dirichlet", "quantity-skew"})
  void everyPatientInExactlyOneClientAndNoClientEmpty(String strategy) {
    List<PatientGroup> patients = patients();
    ClientAssignment a = new ClientPartitioner(strategy, 10, 1.0, 0.5, 42).assign(patients);
    assertEquals(patients.size(), a.clientOfPatient().size());
    int[] sizes = sizes(a, patients, 10);
    assertEquals(patients.stream().mapToInt(PatientGroup::images).sum(), IntStream.of(sizes).sum());
    for (int s : sizes) {
      assertTrue(s > 0, strategy + " left a client empty");
    }
    assertEquals(a.clientOfPatient(), new ClientPartitioner(strategy, 10, 1.0, 0.5, 42).assign(patients)
        .clientOfPatient(), "same seed must give the same assignment");
    assertNotEquals(a.clientOfPatient(), new ClientPartitioner(strategy, 10, 1.0, 0.5, 43).assign(patients)
        .clientOfPatient(), "another seed must give another assignment");
  }

  @Test
  void noniidSizesAreAsDrawnUpToOnePatient() {
    List<PatientGroup> patients = patients();
    ClientAssignment a = new ClientPartitioner("noniid", 10, 1.0, 0.5, 42).assign(patients);
    int[] actual = sizes(a, patients, 10);
    int[] drawn = a.drawnSizes();
    assertEquals(IntStream.of(actual).sum(), IntStream.of(drawn).sum());
    for (int c = 0; c < 9; c++) {
      assertTrue(actual[c] >= drawn[c] && actual[c] < drawn[c] + 5, "client " + c + ": drawn " + drawn[c]
          + ", got " + actual[c]);
    }
    int min = IntStream.of(drawn).min().orElseThrow();
    int max = IntStream.of(drawn).max().orElseThrow();
    assertTrue(max > 2 * min, "sizes should differ: " + Arrays.toString(drawn));
  }

  @Test
  void noniidAllocatesTheRarestClassFirstAndSkewsTheClassMix() {
    List<PatientGroup> patients = patients();
    ClientAssignment a = new ClientPartitioner("noniid", 10, 1.0, 0.5, 42).assign(patients);
    Map<Integer, Integer> imagesPerClass = new HashMap<>();
    patients.forEach(p -> imagesPerClass.merge(p.classIndex(), p.images(), Integer::sum));
    int rarest = imagesPerClass.entrySet().stream().min(Map.Entry.<Integer, Integer>comparingByValue()
        .thenComparing(Map.Entry.comparingByKey())).orElseThrow().getKey();
    patients.stream().filter(p -> p.classIndex() == rarest)
        .forEach(p -> assertEquals(0, a.clientOfPatient().get(p.patientId()), "rarest class goes to client 0"));
    int commonest = imagesPerClass.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    long clientsWithCommonest = patients.stream().filter(p -> p.classIndex() == commonest)
        .map(p -> a.clientOfPatient().get(p.patientId())).distinct().count();
    ClientAssignment iid = new ClientPartitioner("iid", 10, 1.0, 0.5, 42).assign(patients);
    long iidClients = patients.stream().filter(p -> p.classIndex() == commonest)
        .map(p -> iid.clientOfPatient().get(p.patientId())).distinct().count();
    assertTrue(clientsWithCommonest < iidClients, "non-IID should concentrate a class in fewer clients ("
        + clientsWithCommonest + " vs iid " + iidClients + ")");
  }

  @Test
  void iidSizesAreEqualUpToOnePatient() {
    List<PatientGroup> patients = patients();
    int[] s = sizes(new ClientPartitioner("iid", 10, 1.0, 0.5, 42).assign(patients), patients, 10);
    int total = IntStream.of(s).sum();
    for (int c = 0; c < 9; c++) {
      assertEquals(total / 10.0, s[c], 5.0);
    }
  }

  @Test
  void moreClientsThanPatientsIsAClearError() {
    List<PatientGroup> few = List.of(new PatientGroup("a", 3, 0), new PatientGroup("b", 1, 1));
    SpecException e = assertThrows(SpecException.class, () -> new ClientPartitioner("noniid", 3, 1, 1, 1).assign(few));
    assertTrue(e.getMessage().contains("only 2 patients"), e.getMessage());
  }

  @Test
  void asManyClientsAsPatientsGivesOnePatientEach() {
    List<PatientGroup> patients = patients().subList(0, 20);
    for (String s : List.of("noniid", "iid", "dirichlet", "quantity-skew")) {
      ClientAssignment a = new ClientPartitioner(s, 20, 0.1, 0.1, 3).assign(patients);
      assertEquals(20, new HashSet<>(a.clientOfPatient().values()).size(), s);
    }
  }
}
