package dev.switchboard.packs;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Seed 001's dental clinic: dentists publish half-hour slots up to four weeks ahead, patients book
 * them through the chatbot, portal or phone, admins confirm, some cancel (the slot frees up
 * again), dentists block or withdraw free slots (withdrawn slots are deleted), and on the day
 * patients check in, are seen, or do not show. Walk-ins are recorded after the fact.
 */
final class ClinicSimulator implements Simulator {
    /** A clinic's dentists: id, name, specialty (the dentists dataset; the chair is their place in the list). */
    private static final Map<String, List<List<String>>> STAFF = Map.of(
            "bright-smile-dental", List.of(List.of("dr-chen", "Dr. Mei Chen", "general dentistry"),
                    List.of("dr-patel", "Dr. Anil Patel", "endodontics"), List.of("dr-okafor", "Dr. Ngozi Okafor", "orthodontics")),
            "riverside-dental", List.of(List.of("dr-garcia", "Dr. Lucía García", "general dentistry"),
                    List.of("dr-novak", "Dr. Tomas Novak", "periodontics")));
    private static final Map<String, List<String>> DENTISTS = Map.of(
            "bright-smile-dental", STAFF.get("bright-smile-dental").stream().map(List::getFirst).toList(),
            "riverside-dental", STAFF.get("riverside-dental").stream().map(List::getFirst).toList());
    /** Front desks by day; seven days of history for the week's rates. */
    static final Arrivals ARRIVALS = new Arrivals(Map.of("bright-smile-dental", 30.0, "riverside-dental", 20.0),
            Arrivals.Shape.BUSINESS_HOURS, Duration.ofDays(14), Duration.ofSeconds(60));
    private static final List<String> TREATMENTS = List.of("checkup", "cleaning", "filling", "root_canal",
            "extraction", "whitening", "consultation");
    private static final Sim.Weighted SOURCES = Sim.Weighted.of("chatbot", 45, "patient_portal", 25, "phone", 20, "admin", 10);
    private static final int PATIENTS_PER_CLINIC = 40;
    private static final int HORIZON_DAYS = 28;

    /** Free upcoming slots: what patients can book, and what dentists may block or withdraw. */
    private final Map<String, Map<String, Object>> free = new LinkedHashMap<>();
    /** Upcoming appointments by start time then id, so each step visits only those due. */
    private final TreeMap<String, Map<String, Object>> appointments = new TreeMap<>();
    /** Appointments awaiting confirmation, and the slot each booked appointment holds. */
    private final Map<String, Map<String, Object>> pending = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> slotOf = new LinkedHashMap<>();
    /** Which dentist-days already have published slots, so a day is published once. */
    private final Set<String> published = new HashSet<>();
    /** Clinics whose patients and dentists are written (by this run, or found by {@link #resume}). */
    private final Set<String> staffed = new HashSet<>();

    @Override
    public Arrivals arrivals() {
        return ARRIVALS;
    }

    @Override
    public String pack() {
        return "clinic";
    }

    @Override
    public void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer) {
        for (String tenant : ARRIVALS.tenants()) {
            if (staffed.add(tenant)) {
                register(tenant, now, writer);
            }
        }
        for (Map<String, Object> appt : List.copyOf(appointments.headMap(Sim.time(now.plus(Duration.ofMinutes(10))), true).values())) {
            progress(appt, now, random, writer);
        }
        // Past slots stay in the database; the simulator stops tracking them.
        free.values().removeIf(s -> Sim.reached(s.get("start_time"), now));
        for (String tenant : Sim.turns(events)) {
            long open = free.values().stream().filter(s -> s.get("clinic_id").equals(tenant)).count();
            boolean unconfirmed = pending.values().stream().anyMatch(a -> a.get("clinic_id").equals(tenant));
            // Once the booking horizon is full, bookings slow down rather than empty the schedule.
            switch (Sim.choose(random, open < 20 ? 5 : 0.3, open > 5 ? 4 : open > 0 ? 0.3 : 0, unconfirmed ? 3 : 0, 0.4, open > 5 ? 0.3 : 0,
                    open > 5 ? 0.15 : 0, 0.3)) {
                case 0 -> publishDay(tenant, now, random, writer);
                case 1 -> book(tenant, now, random, writer);
                case 2 -> confirm(tenant, now, random, writer);
                case 3 -> cancel(tenant, now, random, writer);
                case 4 -> withdrawSlot(tenant, random, writer);
                case 5 -> blockSlot(tenant, now, random, writer);
                case 6 -> walkIn(tenant, now, random, writer);
                default -> { }
            }
        }
    }

    /**
     * Takes back free slots ahead (their dentist-days count as published), booked slots, and
     * appointments not yet final, which then progress (or turn no-show) as their times pass.
     */
    @Override
    public void resume(Stored stored, RandomGenerator random) {
        // a clinic whose dentists a previous run wrote keeps them and its patients as they are now
        stored.rows("dentists", "clinic_id", ARRIVALS.tenants()).forEach(d -> staffed.add((String) d.get("clinic_id")));
        for (Map<String, Object> slot : stored.rows("dentist_availability", "status", List.of("available", "booked"))) {
            Instant at = start(slot);
            published.add(slot.get("clinic_id") + "|" + slot.get("dentist_id") + "|" + at.truncatedTo(ChronoUnit.DAYS));
            if (slot.get("status").equals("available")) {
                free.put((String) slot.get("id"), slot);
            } else if (slot.get("appointment_id") != null) {
                slotOf.put((String) slot.get("appointment_id"), slot);
            }
        }
        for (Map<String, Object> appt : stored.rows("clinic_appointments", "status", List.of("pending", "confirmed", "checked_in", "in_progress"))) {
            track(appt);
            if (appt.get("status").equals("pending")) {
                pending.put((String) appt.get("id"), appt);
            }
        }
        slotOf.keySet().retainAll(appointments.values().stream().map(a -> a.get("id")).toList());
    }

    /**
     * A clinic's dentists and its patients {@code patient-1001} to {@code patient-1040}, with names
     * drawn from the clinic's name alone: the same clinic gets the same people in every run, whatever
     * the run's seed, so a restart writes nothing new and a name never changes under an appointment.
     */
    private static void register(String tenant, Instant now, Writer writer) {
        List<List<String>> staff = STAFF.get(tenant);
        List<Map<String, Object>> dentists = new java.util.ArrayList<>();
        for (int i = 0; i < staff.size(); i++) {
            dentists.add(Sim.row("id", staff.get(i).get(0), "clinic_id", tenant, "name", staff.get(i).get(1), "specialty", staff.get(i).get(2),
                    "chair", "chair-" + (i + 1), "created_at", Sim.time(now), "updated_at", Sim.time(now)));
        }
        writer.upsert(tenant, "dentists", dentists);
        writer.upsert(tenant, "patients", patients(tenant, now));
    }

    /** The clinic's patients: distinct names, a phone and an email each, from a generator seeded by the clinic's name. */
    static List<Map<String, Object>> patients(String tenant, Instant now) {
        java.util.SplittableRandom people = new java.util.SplittableRandom(tenant.hashCode() * 0x9E3779B97F4A7C15L);
        Set<String> names = new HashSet<>();
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (int i = 0; i < PATIENTS_PER_CLINIC; i++) {
            String name;
            do {
                name = Sim.person(people);
            } while (!names.add(name));
            String id = "patient-" + (1001 + i);
            out.add(Sim.row("id", id, "clinic_id", tenant, "name", name, "phone", Sim.phone(people),
                    "email", name.toLowerCase(java.util.Locale.ROOT).replace(' ', '.') + "@example.com",
                    "created_at", Sim.time(now), "updated_at", Sim.time(now)));
        }
        return out;
    }

    private static Instant start(Map<String, Object> row) {
        return Instant.parse((String) row.get("start_time"));
    }

    private static String order(Map<String, Object> appt) {
        return appt.get("start_time") + "|" + appt.get("id");
    }

    private void track(Map<String, Object> appt) {
        appointments.put(order(appt), appt);
    }

    /** Stops tracking an appointment that reached a final status. */
    private void untrack(Map<String, Object> appt) {
        appointments.remove(order(appt));
        pending.remove((String) appt.get("id"));
        slotOf.remove((String) appt.get("id"));
    }

    /**
     * The next unpublished day of one dentist within the booking horizon: 09:00-17:00 UTC without
     * the lunch hour, in half-hour slots from now on.
     */
    private void publishDay(String tenant, Instant now, RandomGenerator random, Writer writer) {
        String dentist = Sim.pick(random, DENTISTS.get(tenant));
        Instant today = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant();
        for (int d = 0; d < HORIZON_DAYS; d++) {
            Instant day = today.plus(Duration.ofDays(d));
            if (published.add(tenant + "|" + dentist + "|" + day)) {
                for (int half = 18; half < 34; half++) {
                    Instant at = day.plus(Duration.ofMinutes(30L * half));
                    if (at.isAfter(now) && half != 24 && half != 25) {
                        Map<String, Object> slot = Sim.row("id", Sim.id(random, "slot"), "clinic_id", tenant, "dentist_id", dentist,
                                "start_time", Sim.time(at), "end_time", Sim.time(at.plus(Duration.ofMinutes(30))),
                                "status", "available", "appointment_id", null, "chair", "chair-" + (1 + DENTISTS.get(tenant).indexOf(dentist)),
                                "created_at", Sim.time(now), "updated_at", Sim.time(now));
                        free.put((String) slot.get("id"), slot);
                        Sim.put(writer, tenant, "dentist_availability", slot);
                    }
                }
                return;
            }
        }
    }

    private void book(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, free.values(), s -> s.get("clinic_id").equals(tenant)).ifPresent(slot -> {
            Map<String, Object> appt = Sim.row("id", Sim.id(random, "appt"), "clinic_id", tenant,
                    "patient_id", "patient-" + (1001 + random.nextInt(PATIENTS_PER_CLINIC)), "dentist_id", slot.get("dentist_id"),
                    "slot_id", slot.get("id"), "treatment", Sim.pick(random, TREATMENTS), "status", "pending",
                    "source", SOURCES.pick(random), "start_time", slot.get("start_time"), "end_time", slot.get("end_time"),
                    "duration_minutes", 30L, "notes", null, "cancellation_reason", null,
                    "created_at", Sim.time(now), "updated_at", Sim.time(now));
            track(appt);
            pending.put((String) appt.get("id"), appt);
            slotOf.put((String) appt.get("id"), slot);
            free.remove((String) slot.get("id"));
            Sim.put(writer, tenant, "clinic_appointments", appt);
            slot.put("status", "booked");
            slot.put("appointment_id", appt.get("id"));
            slot.put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, "dentist_availability", slot);
        });
    }

    private void confirm(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, pending.values(), a -> a.get("clinic_id").equals(tenant)).ifPresent(appt -> {
            pending.remove((String) appt.get("id"));
            set(appt, "confirmed", now, writer);
        });
    }

    private void cancel(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, appointments.values(), a -> a.get("clinic_id").equals(tenant)
                && List.of("pending", "confirmed").contains((String) a.get("status"))).ifPresent(appt -> {
            appt.put("cancellation_reason", Sim.pick(random, List.of("patient request", "illness", "rescheduling", "dentist unavailable")));
            set(appt, "cancelled", now, writer);
            Map<String, Object> slot = slotOf.get((String) appt.get("id"));
            untrack(appt);
            if (slot != null && !Sim.reached(slot.get("start_time"), now)) {
                free.put((String) slot.get("id"), slot);
                slot.put("status", "available");
                slot.put("appointment_id", null);
                slot.put("updated_at", Sim.time(now));
                Sim.put(writer, tenant, "dentist_availability", slot);
            }
        });
    }

    /** confirmed -> checked_in (10 minutes before) -> in_progress -> completed; unconfirmed or late -> no_show. */
    private void progress(Map<String, Object> appt, Instant now, RandomGenerator random, Writer writer) {
        Instant start = start(appt);
        Instant end = Instant.parse((String) appt.get("end_time"));
        String status = (String) appt.get("status");
        if (status.equals("in_progress") && !end.isAfter(now)) {
            set(appt, "completed", now, writer);
            untrack(appt);
        } else if (status.equals("checked_in") && !start.isAfter(now)) {
            set(appt, "in_progress", now, writer);
        } else if (status.equals("confirmed") && !start.minus(Duration.ofMinutes(10)).isAfter(now) && Sim.chance(random, 0.3)) {
            set(appt, "checked_in", now, writer);
        } else if (List.of("pending", "confirmed").contains(status) && !start.plus(Duration.ofMinutes(15)).isAfter(now)) {
            set(appt, "no_show", now, writer);
            untrack(appt);
        }
    }

    private static void set(Map<String, Object> appt, String status, Instant now, Writer writer) {
        appt.put("status", status);
        appt.put("updated_at", Sim.time(now));
        Sim.put(writer, (String) appt.get("clinic_id"), "clinic_appointments", appt);
    }

    private void withdrawSlot(String tenant, RandomGenerator random, Writer writer) {
        Sim.pick(random, free.values(), s -> s.get("clinic_id").equals(tenant)).ifPresent(slot -> {
            free.remove((String) slot.get("id"));
            Sim.delete(writer, tenant, "dentist_availability", (String) slot.get("id"));
        });
    }

    private void blockSlot(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, free.values(), s -> s.get("clinic_id").equals(tenant)).ifPresent(slot -> {
            free.remove((String) slot.get("id"));
            slot.put("status", "blocked");
            slot.put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, "dentist_availability", slot);
        });
    }

    /** A walk-in entered by the front desk once the patient is already in the chair or done. */
    private void walkIn(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Instant start = Sim.late(random, now);
        Instant end = start.plus(Duration.ofMinutes(30));
        Map<String, Object> appt = Sim.row("id", Sim.id(random, "appt"), "clinic_id", tenant,
                "patient_id", "patient-" + (1001 + random.nextInt(PATIENTS_PER_CLINIC)),
                "dentist_id", Sim.pick(random, DENTISTS.get(tenant)), "slot_id", null, "treatment", "emergency",
                "status", end.isAfter(now) ? "in_progress" : "completed", "source", "walk_in",
                "start_time", Sim.time(start), "end_time", Sim.time(end), "duration_minutes", 30L, "notes", "Walk-in",
                "cancellation_reason", null, "created_at", Sim.time(now), "updated_at", Sim.time(now));
        if (end.isAfter(now)) {
            track(appt);
        }
        Sim.put(writer, tenant, "clinic_appointments", appt);
    }
}
