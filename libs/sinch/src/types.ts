// The shapes of Sinch's SMS REST API (XMS) that optline uses: send a text batch, list batches
// by client_reference. Field names are Sinch's (developers.sinch.com, "SMS API" reference:
// Batches -> Send, List).

/** POST /xms/v1/{service_plan_id}/batches, a text message (`mt_text`). */
export interface SendTextBatch {
  /** Sender: the dedicated number (MSISDN without "+", or a short code). */
  from: string;
  /** Recipients as MSISDNs (digits, optional "+"). */
  to: string[];
  body: string;
  type?: 'mt_text';
  /** Echoed back and searchable: optline puts the reply's event id here. */
  client_reference?: string;
  delivery_report?: 'none' | 'summary' | 'full' | 'per_recipient' | 'per_recipient_final';
}

/** The batch as Sinch answers a send (201) and lists it. */
export interface Batch {
  id: string;
  from: string;
  to: string[];
  body: string;
  type: 'mt_text';
  canceled: boolean;
  created_at: string;
  modified_at: string;
  delivery_report: string;
  expire_at: string;
  flash_message: boolean;
  client_reference?: string;
}

/** GET /xms/v1/{service_plan_id}/batches?client_reference=… */
export interface BatchList {
  count: number;
  page: number;
  page_size: number;
  batches: Batch[];
}

/** Sinch's error body: e.g. `{ code: "syntax_invalid_parameter_format", text: "…" }`. */
export interface SinchErrorBody {
  code: string;
  text: string;
}

/** Sinch takes MSISDNs; optline's canonical phone is 00 + country code + number. */
export function msisdn(canonical: string): string {
  return canonical.startsWith('00') ? canonical.slice(2) : canonical;
}
