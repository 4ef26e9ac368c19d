import { Schema, model, type Types } from 'mongoose';

/** The events a webhook can subscribe to; each is the change feed type of the same name. */
export const WEBHOOK_EVENTS = [
  'comment.created',
  'comment.approved',
  'comment.rejected',
  'comment.flagged',
  'comment.deleted',
  'user.banned',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A site's subscription: where to POST which events, and the secret that signs them. */
const webhookSchema = new Schema(
  {
    siteId: { type: Schema.Types.ObjectId, ref: 'Site', required: true },
    url: { type: String, required: true },
    events: { type: [String], enum: WEBHOOK_EVENTS, required: true },
    /** `whsec_` + base64 key; shown once at creation, kept to sign deliveries. */
    secret: { type: String, required: true, select: false },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true },
);
webhookSchema.index({ siteId: 1, events: 1 });

export interface WebhookRecord {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  url: string;
  events: WebhookEvent[];
  secret?: string;
  createdAt: Date;
}

export const WebhookModel = model('Webhook', webhookSchema);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one webhook, `_id` the Standard Webhooks message id (`msg_...`), derived from the
 * webhook and the change so that every instance hearing the change writes the same document once.
 * Kept after delivery as the delivery log, with the last answer.
 */
const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    webhookId: { type: Schema.Types.ObjectId, required: true },
    siteId: { type: Schema.Types.ObjectId, required: true },
    event: { type: String, enum: WEBHOOK_EVENTS, required: true },
    /** The JSON body, exactly as signed and sent. */
    payload: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastAttemptAt: { type: Date, default: null },
    lastResponse: {
      type: new Schema(
        { status: { type: Number, default: null }, body: { type: String, default: '' }, error: { type: String, default: null } },
        { _id: false },
      ),
      default: null,
    },
  },
  { timestamps: true, versionKey: false },
);
deliverySchema.index({ status: 1, nextAttemptAt: 1 });
deliverySchema.index({ webhookId: 1, createdAt: -1 });

export interface DeliveryRecord {
  _id: string;
  webhookId: Types.ObjectId;
  siteId: Types.ObjectId;
  event: WebhookEvent;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastResponse: { status: number | null; body: string; error: string | null } | null;
  createdAt: Date;
}

export const DeliveryModel = model('WebhookDelivery', deliverySchema);
