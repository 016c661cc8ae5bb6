package dev.switchboard.packs;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Seed 000's AI booking flow: leads arrive, the voice agent queues and places calls to them, and a
 * call that books creates an appointment and marks the lead booked; other calls schedule a
 * follow-up or close the lead. Appointments get confirmed, rescheduled, cancelled, and finally
 * completed or missed. Queued calls are sometimes withdrawn (deleted from the queue).
 */
final class BookingsSimulator implements Simulator {
    /** Leads and calls in office hours; seven days of history for the week's charts. */
    static final Arrivals ARRIVALS = new Arrivals(Map.of("d2d-xpress-tom", 40.0, "acme-roofing", 25.0),
            Arrivals.Shape.BUSINESS_HOURS, Duration.ofDays(14), Duration.ofSeconds(30));
    private static final List<String> SOURCES = List.of("web_form", "facebook_ads", "google_ads", "referral", "csv_import");
    private static final List<String> SERVICES = List.of("consultation", "quote_visit", "inspection", "installation");
    private static final Sim.Weighted CALL_RESULTS = Sim.Weighted.of(
            "booked", 28, "callback_requested", 20, "not_interested", 22, "interested", 18, "wrong_number", 12);

    /** A call in flight and when its next transition is due. */
    private static final class Call {
        final String tenant;
        final Map<String, Object> row;
        Instant due;

        Call(String tenant, Map<String, Object> row, Instant due) {
            this.tenant = tenant;
            this.row = row;
            this.due = due;
        }
    }

    private final Map<String, Map<String, Object>> leads = new LinkedHashMap<>();
    private final Map<String, Call> calls = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> appointments = new LinkedHashMap<>();
    private final Set<String> callingLeads = new HashSet<>();

    @Override
    public Arrivals arrivals() {
        return ARRIVALS;
    }

    @Override
    public String pack() {
        return "bookings";
    }

    @Override
    public void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer) {
        for (Call call : List.copyOf(calls.values())) {
            // Every transition due by now, however long the step (a backfill step is coarser than a live one).
            while (calls.containsKey((String) call.row.get("id")) && !call.due.isAfter(now)) {
                advance(call, now, random, writer);
            }
        }
        for (Map<String, Object> appt : List.copyOf(appointments.values())) {
            if (Sim.reached(appt.get("start_time"), now)) {
                attend(appt, now, random, writer);
            }
        }
        for (String tenant : Sim.turns(events)) {
            switch (Sim.choose(random, 3, 4, 1, 0.4, 0.5)) {
                case 0 -> newLead(tenant, now, random, writer);
                case 1 -> queueCall(tenant, now, random, writer);
                case 2 -> followUp(tenant, now, random, writer);
                case 3 -> changeAppointment(tenant, now, random, writer);
                case 4 -> withdrawQueuedCall(tenant, random, writer);
                default -> { }
            }
        }
        Sim.trim(leads, 400);
    }

    /**
     * Takes back callable leads, calls in flight (each goes on from its last change) and
     * appointments ahead, which are then attended when they start.
     */
    @Override
    public void resume(Stored stored, RandomGenerator random) {
        stored.rows("leads", "status", List.of("new", "contacted", "follow_up")).forEach(l -> leads.put((String) l.get("id"), l));
        for (Map<String, Object> row : stored.rows("booking_calls", "status", List.of("queued", "ringing", "in_progress"))) {
            Instant due = switch ((String) row.get("status")) {
                case "queued" -> Instant.parse((String) row.get("scheduled_for"));
                case "ringing" -> Instant.parse((String) row.get("updated_at")).plus(Sim.seconds(random, 5, 25));
                default -> Instant.parse((String) row.get("updated_at")).plus(Sim.seconds(random, 30, 300));
            };
            calls.put((String) row.get("id"), new Call((String) row.get("client_key"), row, due));
            callingLeads.add((String) row.get("lead_id"));
        }
        stored.rows("appointments", "status", List.of("booked", "confirmed", "rescheduled")).forEach(a -> appointments.put((String) a.get("id"), a));
    }

    private void newLead(String tenant, Instant now, RandomGenerator random, Writer writer) {
        // One lead in ten arrives late, from a CSV import or a delayed form webhook.
        Instant created = Sim.chance(random, 0.1) ? Sim.late(random, now) : now;
        String name = Sim.person(random); // one of 750: a client's leads rarely share a name
        Map<String, Object> lead = Sim.row("id", Sim.id(random, "lead"), "client_key", tenant, "name", name,
                "phone", Sim.phone(random), "email", name.toLowerCase().replace(' ', '.') + "@example.com",
                "source", Sim.pick(random, SOURCES), "status", "new", "notes", null, "follow_up_at", null,
                "created_at", Sim.time(created), "updated_at", Sim.time(now));
        leads.put((String) lead.get("id"), lead);
        Sim.put(writer, tenant, "leads", lead);
    }

    private void queueCall(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, leads.values(), l -> l.get("client_key").equals(tenant) && callable(l) && !inCall(l)).ifPresent(lead -> {
            Instant at = now.plus(Sim.seconds(random, 0, 90));
            Map<String, Object> row = Sim.row("id", Sim.id(random, "bcall"), "client_key", tenant, "lead_id", lead.get("id"),
                    "vapi_call_id", null, "phone", lead.get("phone"), "direction", "outbound", "status", "queued",
                    "outcome", null, "ended_reason", null, "duration", null, "cost", null, "summary", null,
                    "recording_url", null, "scheduled_for", Sim.time(at), "started_at", null, "ended_at", null,
                    "created_at", Sim.time(now), "updated_at", Sim.time(now));
            calls.put((String) row.get("id"), new Call(tenant, row, at));
            callingLeads.add((String) lead.get("id"));
            Sim.put(writer, tenant, "booking_calls", row);
        });
    }

    private static boolean callable(Map<String, Object> lead) {
        return List.of("new", "contacted", "follow_up").contains((String) lead.get("status"));
    }

    private boolean inCall(Map<String, Object> lead) {
        return callingLeads.contains((String) lead.get("id"));
    }

    /** queued -> ringing -> in_progress -> ended, or ringing -> ended unanswered / failed. */
    private void advance(Call call, Instant now, RandomGenerator random, Writer writer) {
        Map<String, Object> row = call.row;
        switch ((String) row.get("status")) {
            case "queued" -> {
                row.put("status", "ringing");
                row.put("vapi_call_id", Sim.id(random, "vapi"));
                row.put("started_at", Sim.time(call.due));
                call.due = call.due.plus(Sim.seconds(random, 5, 25));
            }
            case "ringing" -> {
                double r = random.nextDouble();
                if (r < 0.65) {
                    row.put("status", "in_progress");
                    call.due = call.due.plus(Sim.seconds(random, 30, 300));
                } else if (r < 0.95) {
                    end(call, r < 0.8 ? "no_answer" : "voicemail", r < 0.8 ? "customer-did-not-answer" : "voicemail", writer, now);
                    return;
                } else {
                    row.put("status", "failed");
                    row.put("ended_reason", "twilio-failed-to-connect-call");
                    closeCall(call, now);
                }
            }
            default -> {
                end(call, CALL_RESULTS.pick(random), "customer-ended-call", writer, now);
                Map<String, Object> lead = leads.get((String) row.get("lead_id"));
                if (lead != null) {
                    settleLead(call.tenant, lead, (String) row.get("outcome"), row, now, random, writer);
                }
                return;
            }
        }
        row.put("updated_at", Sim.time(now));
        Sim.put(writer, call.tenant, "booking_calls", row);
    }

    private void end(Call call, String outcome, String reason, Writer writer, Instant now) {
        Map<String, Object> row = call.row;
        row.put("status", "ended");
        row.put("outcome", outcome);
        row.put("ended_reason", reason);
        closeCall(call, now);
        long seconds = (Long) row.get("duration");
        row.put("cost", Sim.money(0.05 + seconds * 0.0018));
        if (seconds > 20) {
            row.put("summary", "Call with lead about " + outcome.replace('_', ' ') + ".");
            row.put("recording_url", "https://storage.vapi.example/recordings/" + row.get("vapi_call_id") + ".wav");
        }
        row.put("updated_at", Sim.time(now));
        Sim.put(writer, call.tenant, "booking_calls", row);
    }

    private void closeCall(Call call, Instant now) {
        calls.remove((String) call.row.get("id"));
        callingLeads.remove((String) call.row.get("lead_id"));
        call.row.put("ended_at", Sim.time(call.due));
        call.row.put("duration", Duration.between(Instant.parse((String) call.row.get("started_at")), call.due).toSeconds());
        call.row.put("updated_at", Sim.time(now));
    }

    private void settleLead(String tenant, Map<String, Object> lead, String outcome, Map<String, Object> call,
                            Instant now, RandomGenerator random, Writer writer) {
        switch (outcome) {
            case "booked" -> {
                lead.put("status", "booked");
                book(tenant, lead, call, now, random, writer);
            }
            case "callback_requested" -> {
                lead.put("status", "follow_up");
                lead.put("follow_up_at", Sim.time(now.plus(Duration.ofHours(random.nextInt(2, 72)))));
            }
            case "not_interested", "wrong_number" -> lead.put("status", "not_interested");
            default -> lead.put("status", "contacted");
        }
        lead.put("updated_at", Sim.time(now));
        Sim.put(writer, tenant, "leads", lead);
    }

    private void book(String tenant, Map<String, Object> lead, Map<String, Object> call, Instant now,
                      RandomGenerator random, Writer writer) {
        Instant start = businessHour(now, random.nextInt(0, 8), random);
        Map<String, Object> appt = Sim.row("id", Sim.id(random, "appt"), "client_key", tenant, "lead_id", lead.get("id"),
                "call_id", call.get("id"), "name", lead.get("name"), "phone", lead.get("phone"), "email", lead.get("email"),
                "service", Sim.pick(random, SERVICES), "status", "booked", "start_time", Sim.time(start),
                "end_time", Sim.time(start.plus(Duration.ofMinutes(45))), "calendar_event_id", Sim.id(random, "gcal"),
                "notes", null, "booked_at", Sim.time(now), "updated_at", Sim.time(now));
        appointments.put((String) appt.get("id"), appt);
        Sim.put(writer, tenant, "appointments", appt);
    }

    /** A whole hour between 09:00 and 17:00 UTC, {@code days} from now, never in the past. */
    private static Instant businessHour(Instant now, int days, RandomGenerator random) {
        Instant day = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusDays(days).toInstant();
        Instant start = day.plus(Duration.ofHours(random.nextInt(9, 17)));
        return start.isAfter(now) ? start : businessHour(now, days + 1, random);
    }

    private void followUp(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, leads.values(), l -> l.get("client_key").equals(tenant) && callable(l)).ifPresent(lead -> {
            lead.put("status", "follow_up");
            lead.put("follow_up_at", Sim.time(now.plus(Duration.ofHours(random.nextInt(1, 48)))));
            lead.put("notes", "Asked to be called back " + Sim.pick(random, List.of("after work", "next week", "tomorrow morning")));
            lead.put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, "leads", lead);
        });
    }

    private void changeAppointment(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, appointments.values(), a -> a.get("client_key").equals(tenant)).ifPresent(appt -> {
            double r = random.nextDouble();
            if (r < 0.65 && !appt.get("status").equals("confirmed")) {
                appt.put("status", "confirmed");
            } else if (r < 0.85) {
                Instant start = businessHour(now, random.nextInt(1, 6), random);
                appt.put("status", "rescheduled");
                appt.put("start_time", Sim.time(start));
                appt.put("end_time", Sim.time(start.plus(Duration.ofMinutes(45))));
            } else {
                appt.put("status", "cancelled");
                appointments.remove((String) appt.get("id"));
            }
            appt.put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, "appointments", appt);
        });
    }

    private void attend(Map<String, Object> appt, Instant now, RandomGenerator random, Writer writer) {
        appointments.remove((String) appt.get("id"));
        appt.put("status", Sim.chance(random, 0.88) ? "completed" : "no_show");
        appt.put("updated_at", Sim.time(now));
        Sim.put(writer, (String) appt.get("client_key"), "appointments", appt);
    }

    private void withdrawQueuedCall(String tenant, RandomGenerator random, Writer writer) {
        Sim.pick(random, new ArrayList<>(calls.values()), c -> c.tenant.equals(tenant) && c.row.get("status").equals("queued"))
                .ifPresent(call -> {
                    calls.remove((String) call.row.get("id"));
                    callingLeads.remove((String) call.row.get("lead_id"));
                    Sim.delete(writer, tenant, "booking_calls", (String) call.row.get("id"));
                });
    }
}
