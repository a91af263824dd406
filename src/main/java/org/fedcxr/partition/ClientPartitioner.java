package org.fedcxr.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.fedcxr.config.Seeds;
import org.fedcxr.config.SpecException;

/**
 * Assigns patients (never single images) to K clients.
 * <ul>
 *   <li>{@code noniid}: draws each client's size (a Dirichlet share of the images), then fills the clients one after
 *       another with patients taken class by class, starting from the class with the fewest images; clients differ
 *       in size and in class mix.</li>
 *   <li>{@code quantity-skew}: the same drawn sizes, patients in random order (label mix close to the pool's).</li>
 *   <li>{@code iid}: equal sizes, patients in random order.</li>
 *   <li>{@code dirichlet}: for each class a Dirichlet draw of its share per client; each patient of the class goes
 *       to a client drawn from those shares.</li>
 * </ul>
 * Every client gets at least one patient. The result depends only on the patients, the parameters and the seed.
 */
public final class ClientPartitioner {
  private final String strategy;
  private final int clients;
  private final double sizeAlpha;
  private final double dirichletAlpha;
  private final long seed;

  public ClientPartitioner(String strategy, int clients, double sizeAlpha, double dirichletAlpha, long seed) {
    this.strategy = strategy;
    this.clients = clients;
    this.sizeAlpha = sizeAlpha;
    this.dirichletAlpha = dirichletAlpha;
    this.seed = seed;
  }

  public ClientAssignment assign(List<PatientGroup> patients) {
    if (patients.size() < clients) {
      throw new SpecException("key 'clients' is " + clients + ", but the client pool has only " + patients.size()
          + " patients; each client needs at least one patient");
    }
    List<PatientGroup> sorted = new ArrayList<>(patients);
    sorted.sort(Comparator.comparing(PatientGroup::patientId));
    int total = sorted.stream().mapToInt(PatientGroup::images).sum();
    return switch (strategy) {
      case "noniid" -> fill(byRarestClass(sorted), drawSizes(total));
      case "quantity-skew" -> fill(shuffled(sorted, "order"), drawSizes(total));
      case "iid" -> fill(shuffled(sorted, "order"), equalSizes(total));
      case "dirichlet" -> labelSkew(sorted);
      default -> throw new SpecException("unknown partition strategy '" + strategy + "'");
    };
  }

  /** Client sizes in images: a Dirichlet(size_alpha) share of the total each, at least 1, summing to the total. */
  int[] drawSizes(int total) {
    double[] share = Dirichlet.sample(clients, sizeAlpha, Seeds.random(seed, "partition", "sizes"));
    return apportion(share, total);
  }

  private int[] equalSizes(int total) {
    double[] share = new double[clients];
    Arrays.fill(share, 1.0 / clients);
    return apportion(share, total);
  }

  /** Largest-remainder rounding of shares to integer sizes of at least 1 that sum to {@code total}. */
  private int[] apportion(double[] share, int total) {
    int[] sizes = new int[clients];
    int free = total - clients;
    double[] rest = new double[clients];
    int used = 0;
    for (int i = 0; i < clients; i++) {
      double exact = share[i] * free;
      sizes[i] = 1 + (int) Math.floor(exact);
      rest[i] = exact - Math.floor(exact);
      used += sizes[i];
    }
    Integer[] order = new Integer[clients];
    for (int i = 0; i < clients; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -rest[i]).thenComparing(i -> i));
    for (int k = 0; used < total; k = (k + 1) % clients) {
      sizes[order[k]]++;
      used++;
    }
    return sizes;
  }

  /** Patients grouped by class, classes from the fewest images to the most, shuffled within a class. */
  private List<PatientGroup> byRarestClass(List<PatientGroup> sorted) {
    Map<Integer, List<PatientGroup>> byClass = new TreeMap<>();
    for (PatientGroup p : sorted) {
      byClass.computeIfAbsent(p.classIndex(), c -> new ArrayList<>()).add(p);
    }
    List<Map.Entry<Integer, List<PatientGroup>>> classes = new ArrayList<>(byClass.entrySet());
    classes.sort(Comparator.comparingInt((Map.Entry<Integer, List<PatientGroup>> e) ->
        e.getValue().stream().mapToInt(PatientGroup::images).sum()).thenComparing(Map.Entry::getKey));
    List<PatientGroup> out = new ArrayList<>();
    for (Map.Entry<Integer, List<PatientGroup>> e : classes) {
      out.addAll(shuffled(e.getValue(), "class-" + e.getKey()));
    }
    return out;
  }

  private List<PatientGroup> shuffled(List<PatientGroup> list, String stream) {
    List<PatientGroup> out = new ArrayList<>(list);
    SplittableRandom rnd = Seeds.random(seed, "partition", stream);
    for (int i = out.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      PatientGroup t = out.get(i);
      out.set(i, out.get(j));
      out.set(j, t);
    }
    return out;
  }

  /**
   * Fills client 0, then 1, ...: a client takes patients until it holds its drawn size, and moves on early when only
   * as many patients are left as clients still to fill.
   */
  private ClientAssignment fill(List<PatientGroup> order, int[] sizes) {
    Map<String, Integer> assignment = new HashMap<>();
    int[] filled = new int[clients];
    int client = 0;
    for (int i = 0; i < order.size(); i++) {
      int patientsLeft = order.size() - i;
      boolean full = filled[client] >= sizes[client];
      boolean mustMove = filled[client] > 0 && patientsLeft <= clients - 1 - client;
      if (client < clients - 1 && (full || mustMove)) {
        client++;
      }
      assignment.put(order.get(i).patientId(), client);
      filled[client] += order.get(i).images();
    }
    return new ClientAssignment(assignment, sizes);
  }

  private ClientAssignment labelSkew(List<PatientGroup> sorted) {
    Map<Integer, List<PatientGroup>> byClass = new TreeMap<>();
    for (PatientGroup p : sorted) {
      byClass.computeIfAbsent(p.classIndex(), c -> new ArrayList<>()).add(p);
    }
    Map<String, Integer> assignment = new HashMap<>();
    List<List<String>> members = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      members.add(new ArrayList<>());
    }
    for (Map.Entry<Integer, List<PatientGroup>> e : byClass.entrySet()) {
      SplittableRandom rnd = Seeds.random(seed, "partition", "dirichlet", Integer.toString(e.getKey()));
      double[] share = Dirichlet.sample(clients, dirichletAlpha, rnd);
      for (PatientGroup p : e.getValue()) {
        double u = rnd.nextDouble();
        int c = 0;
        while (c < clients - 1 && u >= share[c]) {
          u -= share[c++];
        }
        assignment.put(p.patientId(), c);
        members.get(c).add(p.patientId());
      }
    }
    for (int c = 0; c < clients; c++) {
      if (members.get(c).isEmpty()) {
        int donor = 0;
        for (int d = 1; d < clients; d++) {
          if (members.get(d).size() > members.get(donor).size()) {
            donor = d;
          }
        }
        String moved = members.get(donor).remove(members.get(donor).size() - 1);
        members.get(c).add(moved);
        assignment.put(moved, c);
      }
    }
    return new ClientAssignment(assignment, new int[0]);
  }
}
