import type { SseReader } from "@realtime-bookings/test-utils";
import { sleep } from "@realtime-bookings/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, type TestApp, bookingForm, startTestApp } from "./support/app.js";

// The seed: specialists 1–3 work at workpoint 1 (Old Town Studio), 4–6 at workpoint 2 (Riverside Clinic).
let t: TestApp;
let admin: Agent;
beforeAll(async () => {
  t = await startTestApp();
  admin = await t.signIn("admin");
});
afterAll(() => t.close());

type Answer = { status: number; body: Record<string, unknown> };
const answer = async (response: Promise<Response>): Promise<Answer> => {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const created = async (agent: Agent, form: Record<string, string | number>): Promise<{ id: number; revision: number }> => {
  const { status, body } = await answer(agent.post("/bookings", bookingForm(form)));
  expect(status, JSON.stringify(body)).toBe(201);
  return body["booking"] as { id: number; revision: number };
};
const stored = async (id: number): Promise<{ specialistId: number; workpointId: number; revision: number }> =>
  ((await (await admin.get(`/bookings/${id}`)).json()) as { booking: { specialistId: number; workpointId: number; revision: number } }).booking;

describe("an edit passes the same scope check as a new booking", () => {
  it("a specialist cannot move their booking into another specialist's calendar, nor anyone else learn of it", async () => {
    const specialist = await t.signIn("specialist-1");
    const watcher = await (await t.signIn("specialist-4")).stream();
    try {
      const mine = await created(specialist, { date: "2030-06-03" });
      const moved = await answer(specialist.post(`/bookings/${mine.id}`, bookingForm({ date: "2030-06-03", id_work_place: 2, id_specialist: 4, revision: 1 })));
      expect([moved.status, moved.body["error"]]).toEqual([403, "out_of_scope"]);
      expect(await stored(mine.id)).toMatchObject({ specialistId: 1, workpointId: 1, revision: 1 });
      // Without a revision too (the stale-form check is not what stops it).
      expect((await specialist.post(`/bookings/${mine.id}`, bookingForm({ date: "2030-06-03", id_specialist: 2 }))).status).toBe(403);
      await sleep(200);
      expect(watcher.events.filter((e) => e.event === "booking")).toEqual([]);
      // Their own calendar at another workpoint stays theirs to edit, as it is to create.
      expect((await specialist.post(`/bookings/${mine.id}`, bookingForm({ date: "2030-06-03", id_work_place: 2, revision: 1 }))).status).toBe(200);
    } finally {
      watcher.close();
    }
  });

  it("a supervisor cannot move a booking to another workpoint, nor hand it to another workpoint's specialist", async () => {
    const supervisor = await t.signIn("supervisor-1");
    const ours = await created(supervisor, { date: "2030-06-04", id_specialist: 2 });
    const away = await answer(supervisor.post(`/bookings/${ours.id}`, bookingForm({ date: "2030-06-04", id_specialist: 2, id_work_place: 2, revision: 1 })));
    expect([away.status, away.body["error"]]).toEqual([403, "out_of_scope"]);
    const foreign = await answer(supervisor.post(`/bookings/${ours.id}`, bookingForm({ date: "2030-06-04", id_specialist: 5, revision: 1 })));
    expect([foreign.status, foreign.body["message"]]).toEqual([403, "You can only book specialists of your workpoint."]);
    expect(await stored(ours.id)).toMatchObject({ specialistId: 2, workpointId: 1, revision: 1 });
    expect((await supervisor.post(`/bookings/${ours.id}`, bookingForm({ date: "2030-06-04", id_specialist: 3, revision: 1 }))).status).toBe(200);
  });

  it("a supervisor may edit a booking the admin placed at their workpoint with a visiting specialist, keeping that specialist", async () => {
    const supervisor = await t.signIn("supervisor-1");
    const visiting = await created(admin, { date: "2030-06-05", id_specialist: 5, id_work_place: 1 });
    expect((await supervisor.post(`/bookings/${visiting.id}`, bookingForm({ date: "2030-06-05", id_specialist: 5, client_full_name: "Renamed", revision: 1 }))).status).toBe(200);
  });

  it("the admin moves anything anywhere", async () => {
    const booking = await created(admin, { date: "2030-06-06" });
    expect((await admin.post(`/bookings/${booking.id}`, bookingForm({ date: "2030-06-06", id_specialist: 6, id_work_place: 2, revision: 1 }))).status).toBe(200);
    expect(await stored(booking.id)).toMatchObject({ specialistId: 6, workpointId: 2 });
  });
});

describe("a new booking by a supervisor", () => {
  it("is only for a specialist of their own workpoint", async () => {
    const supervisor = await t.signIn("supervisor-1");
    const refused = await answer(supervisor.post("/bookings", bookingForm({ date: "2030-06-10", id_specialist: 5, id_work_place: 1 })));
    expect([refused.status, refused.body]).toEqual([403, { error: "out_of_scope", message: "You can only book specialists of your workpoint." }]);
    const day = (await (await admin.get("/bookings?view=day&date=2030-06-10")).text()).match(/data-id="/g) ?? [];
    expect(day).toEqual([]);
    expect((await supervisor.post("/bookings", bookingForm({ date: "2030-06-10", id_specialist: 3, id_work_place: 1 }))).status).toBe(201);
  });
});

describe("a 409 conflict", () => {
  const TAKEN = { error: "conflict", message: "That time is taken: choose another time or specialist." };

  it("outside the writer's scope says only that the time is taken", async () => {
    // Anna Berg (specialist 1, home Old Town Studio) has a booking at Riverside Clinic that her supervisor cannot see.
    const hidden = await created(admin, { date: "2030-06-11", id_specialist: 1, id_work_place: 2, start_time: "10:00", end_time: "10:45" });
    const supervisor = await t.signIn("supervisor-1");
    const probe = await answer(supervisor.post("/bookings", bookingForm({ date: "2030-06-11", id_specialist: 1, start_time: "06:00", end_time: "21:00" })));
    expect([probe.status, probe.body]).toEqual([409, TAKEN]);
    expect(JSON.stringify(probe.body)).not.toMatch(new RegExp(`${hidden.id}|Anna|10:00|10:45`));

    // An edit that runs into it is told no more.
    const own = await created(supervisor, { date: "2030-06-11", id_specialist: 1, start_time: "12:00", end_time: "12:30" });
    const edit = await answer(supervisor.post(`/bookings/${own.id}`, bookingForm({ date: "2030-06-11", id_specialist: 1, start_time: "10:30", end_time: "11:00", revision: 1 })));
    expect([edit.status, edit.body]).toEqual([409, TAKEN]);
  });

  it("inside the writer's scope names the booking in the way", async () => {
    const specialist = await t.signIn("specialist-1");
    const first = await created(specialist, { date: "2030-06-12", start_time: "10:00", end_time: "10:45" });
    for (const agent of [specialist, admin]) {
      const clash = await answer(agent.post("/bookings", bookingForm({ date: "2030-06-12", start_time: "10:30", end_time: "11:00" })));
      expect([clash.status, clash.body]).toEqual([409, { error: "conflict", message: "Anna Berg already has a booking from 10:00 to 10:45 that day.", conflict: { id: first.id } }]);
    }
  });
});

describe("the hub's connection caps", () => {
  it("cap one user's streams (all their sessions together) and the total, with 429 and Retry-After", async () => {
    const capped = await startTestApp({ MAX_STREAMS: "4", MAX_STREAMS_PER_USER: "2" });
    const open: SseReader[] = [];
    try {
      const [tab1, tab2, otherBrowser] = await Promise.all([capped.signIn("specialist-1"), capped.signIn("specialist-1"), capped.signIn("specialist-1")]);
      open.push(await (tab1 as Agent).stream(), await (tab2 as Agent).stream());
      expect(open.map((r) => r.status)).toEqual([200, 200]);
      const third = await (otherBrowser as Agent).get("/api/bookings/events");
      expect([third.status, ((await third.json()) as { error: string }).error, Number(third.headers.get("retry-after")) > 0]).toEqual([429, "too_many_connections", true]);

      // Other users still get in, up to the total.
      const [colleague, boss] = await Promise.all([capped.signIn("specialist-2"), capped.signIn("admin")]);
      open.push(await (colleague as Agent).stream(), await (boss as Agent).stream());
      expect(open.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const fifth = await (await capped.signIn("supervisor-2")).get("/api/bookings/events");
      expect(fifth.status).toBe(429);
      await fifth.body?.cancel();

      // A closed stream frees its slot.
      open.shift()?.close();
      await sleep(100);
      const again = await (otherBrowser as Agent).stream();
      open.push(again);
      expect(again.status).toBe(200);
    } finally {
      for (const r of open) r.close();
      await capped.close();
    }
  });

  it("are on by default: ten streams per user", async () => {
    const user = await t.signIn("specialist-3");
    const open: SseReader[] = [];
    try {
      for (let i = 0; i < 10; i++) open.push(await user.stream());
      expect(open.every((r) => r.status === 200)).toBe(true);
      const eleventh = await user.get("/api/bookings/events");
      expect(eleventh.status).toBe(429);
      await eleventh.body?.cancel();
    } finally {
      for (const r of open) r.close();
    }
  });
});
