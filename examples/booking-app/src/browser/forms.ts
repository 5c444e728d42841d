import { type ApiResult, getJson, postJson } from "./api.js";
import { type PageConfig, must } from "./config.js";
import type { Toasts } from "./toasts.js";
import type { BookingsView } from "./view.js";

/** A booking as `GET /bookings/:id` returns it. */
interface BookingJson {
  readonly id: number;
  readonly revision: number;
  readonly workpointId: number;
  readonly specialistId: number;
  readonly clientName: string;
  readonly clientPhone: string;
  readonly service: string;
  readonly date: string;
  readonly start_time: string;
  readonly end_time: string;
}

type Saved = { booking: BookingJson; published: boolean };

const pad = (n: number): string => String(n).padStart(2, "0");
const addMinutes = (time: string, minutes: number): string => {
  const [h = 0, m = 0] = time.split(":").map(Number);
  const total = Math.min(h * 60 + m + minutes, 22 * 60);
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
};
const todayLocal = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/**
 * The create/edit dialog and the cancel dialog. They live outside the bookings view, so a refresh
 * never closes them or loses what was typed; when the booking being edited changes elsewhere, the
 * dialog says so.
 */
export class BookingForms {
  readonly #config: PageConfig;
  readonly #view: BookingsView;
  readonly #toasts: Toasts;
  readonly #dialog: HTMLDialogElement;
  readonly #form: HTMLFormElement;
  readonly #cancelDialog: HTMLDialogElement;
  readonly #cancelForm: HTMLFormElement;

  constructor(config: PageConfig, view: BookingsView, toasts: Toasts) {
    this.#config = config;
    this.#view = view;
    this.#toasts = toasts;
    this.#dialog = must(document, "#booking-dialog");
    this.#form = must(document, "#booking-form");
    this.#cancelDialog = must(document, "#cancel-dialog");
    this.#cancelForm = must(document, "#cancel-form");

    for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
      button.addEventListener("click", () => button.closest("dialog")?.close());
    }
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#save();
    });
    this.#cancelForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#confirmCancel();
    });
    // A new booking goes to the chosen specialist's own workpoint unless the user picks another.
    this.#field<HTMLSelectElement>("id_specialist").addEventListener("change", (event) => {
      if (this.#field<HTMLInputElement>("id").value !== "") return;
      const option = (event.target as HTMLSelectElement).selectedOptions[0];
      const workpoint = option?.dataset["workpointId"];
      if (workpoint && this.#config.defaults.workpointId === undefined) this.#field<HTMLSelectElement>("id_work_place").value = workpoint;
    });
  }

  /** The id of the booking being edited or cancelled in an open dialog. */
  get openBookingId(): number | undefined {
    if (this.#dialog.open) {
      const id = this.#field<HTMLInputElement>("id").value;
      return id ? Number(id) : undefined;
    }
    if (this.#cancelDialog.open) return Number(must<HTMLInputElement>(this.#cancelForm, '[name="id"]').value);
    return undefined;
  }

  /** Opens the form for a new booking on the day shown. */
  openNew(): void {
    this.#reset("New booking");
    const { defaults } = this.#config;
    const specialist = this.#field<HTMLSelectElement>("id_specialist");
    const workpoint = this.#field<HTMLSelectElement>("id_work_place");
    if (defaults.specialistId !== undefined) specialist.value = String(defaults.specialistId);
    if (defaults.workpointId !== undefined) {
      workpoint.value = String(defaults.workpointId);
      const first = [...specialist.options].find((o) => o.dataset["workpointId"] === String(defaults.workpointId));
      if (first && defaults.specialistId === undefined) specialist.value = first.value;
    } else {
      workpoint.value = specialist.selectedOptions[0]?.dataset["workpointId"] ?? workpoint.value;
    }
    const date = this.#view.range.date || todayLocal();
    const now = new Date();
    const start = date === todayLocal() && now.getHours() >= 6 && now.getHours() < 21 ? `${pad(now.getHours() + 1)}:00` : "09:00";
    this.#field<HTMLInputElement>("date").value = date;
    this.#field<HTMLInputElement>("start_time").value = start;
    this.#field<HTMLInputElement>("end_time").value = addMinutes(start, 30);
    this.#dialog.showModal();
    this.#field<HTMLInputElement>("client_full_name").focus();
  }

  /** Opens the form on an existing booking, read fresh from the server. */
  async openEdit(id: number): Promise<void> {
    const { status, body } = await getJson<{ booking: BookingJson }>(`/bookings/${id}`);
    if (status !== 200) {
      this.#toasts.show(body.message ?? "This booking cannot be opened.", "warn");
      return;
    }
    const b = body.booking;
    this.#reset(`Edit booking #${b.id}`);
    const values: Record<string, string> = {
      id: String(b.id),
      revision: String(b.revision),
      date: b.date,
      start_time: b.start_time,
      end_time: b.end_time,
      client_full_name: b.clientName,
      client_phone_nr: b.clientPhone,
      name_of_service: b.service,
      id_specialist: String(b.specialistId),
      id_work_place: String(b.workpointId),
    };
    for (const [name, value] of Object.entries(values)) this.#field<HTMLInputElement>(name).value = value;
    this.#dialog.showModal();
    this.#field<HTMLInputElement>("client_full_name").focus();
  }

  /** Asks before cancelling a booking. */
  openCancel(id: number): void {
    const row = document.querySelector<HTMLElement>(`[data-booking-id="${id}"]`);
    must<HTMLInputElement>(this.#cancelForm, '[name="id"]').value = String(id);
    must<HTMLInputElement>(this.#cancelForm, '[name="revision"]').value = row?.dataset["rev"] ?? "";
    const time = row?.querySelector(".time")?.textContent ?? "";
    const client = row?.querySelector(".client-name")?.textContent ?? "";
    must<HTMLElement>(this.#cancelForm, ".cancel-summary").textContent = `Booking #${id}: ${client}, ${time}.`;
    this.#showError(this.#cancelForm, undefined);
    this.#cancelDialog.showModal();
  }

  /** Tells an open dialog that its booking changed or was cancelled elsewhere. */
  bookingChangedElsewhere(id: number, type: string): void {
    if (this.openBookingId !== id) return;
    const notice = must<HTMLElement>(this.#dialog.open ? this.#form : this.#cancelForm, this.#dialog.open ? ".form-notice" : ".form-error");
    notice.textContent =
      type === "delete"
        ? "This booking was just cancelled by someone else."
        : "This booking was just changed by someone else. Close and reopen the form to see the change: saving this version would be refused.";
    notice.hidden = false;
    // A cancelled booking cannot be saved any more.
    if (type === "delete" && this.#dialog.open) must<HTMLButtonElement>(this.#form, "#booking-save").disabled = true;
  }

  #field<T extends HTMLElement>(name: string): T {
    return must<T>(this.#form, `[name="${name}"]`);
  }

  #reset(title: string): void {
    this.#form.reset();
    this.#field<HTMLInputElement>("id").value = "";
    this.#field<HTMLInputElement>("revision").value = "";
    must<HTMLElement>(this.#form, "#booking-dialog-title").textContent = title;
    must<HTMLElement>(this.#form, ".form-notice").hidden = true;
    must<HTMLButtonElement>(this.#form, "#booking-save").disabled = false;
    this.#showError(this.#form, undefined);
    this.#showFieldErrors({});
  }

  #showError(form: HTMLFormElement, message: string | undefined): void {
    const el = must<HTMLElement>(form, ".form-error");
    el.textContent = message ?? "";
    el.hidden = !message;
  }

  #showFieldErrors(errors: Record<string, string>): void {
    for (const el of this.#form.querySelectorAll<HTMLElement>("[data-error-for]")) {
      const name = el.dataset["errorFor"] ?? "";
      el.textContent = errors[name] ?? "";
      this.#field<HTMLElement>(name).setAttribute("aria-invalid", String(name in errors));
    }
    const first = Object.keys(errors)[0];
    if (first) this.#field<HTMLElement>(first).focus();
  }

  async #save(): Promise<void> {
    const data = Object.fromEntries(new FormData(this.#form)) as Record<string, string>;
    const id = data["id"];
    const save = must<HTMLButtonElement>(this.#form, "#booking-save");
    save.disabled = true;
    let result: ApiResult<Saved>;
    try {
      result = await postJson<Saved>(id ? `/bookings/${id}` : "/bookings", data, this.#config.csrfToken);
    } catch {
      this.#showError(this.#form, "The server cannot be reached: your booking was not saved. Try again.");
      return;
    } finally {
      save.disabled = false;
    }
    const { status, body } = result;
    if (status === 200 || status === 201) {
      this.#dialog.close();
      this.#toasts.show(id ? `Booking #${body.booking.id} saved.` : `Booking #${body.booking.id} created.`);
      if (!body.published) this.#toasts.show("Saved, but other browsers were not told: they see it on their next refresh.", "warn", 6000);
      await this.#view.load(true);
      return;
    }
    this.#showFieldErrors(body.fields ?? {});
    this.#showError(this.#form, body.message ?? `The server answered ${status}.`);
  }

  async #confirmCancel(): Promise<void> {
    const id = must<HTMLInputElement>(this.#cancelForm, '[name="id"]').value;
    const revision = must<HTMLInputElement>(this.#cancelForm, '[name="revision"]').value;
    let result: ApiResult<Saved>;
    try {
      result = await postJson<Saved>(`/bookings/${id}/cancel`, { revision }, this.#config.csrfToken);
    } catch {
      this.#showError(this.#cancelForm, "The server cannot be reached: the booking was not cancelled.");
      return;
    }
    if (result.status === 200) {
      this.#cancelDialog.close();
      this.#toasts.show(`Booking #${id} cancelled.`);
      await this.#view.load(true);
      return;
    }
    this.#showError(this.#cancelForm, result.body.message ?? `The server answered ${result.status}.`);
  }
}
