/**
 * The customer a key typed by a user belongs to (`audience explain KEY`): a customer_id, an email
 * or a phone as written in the data, normalised the way the readers normalise them.
 */
import { cleanId } from "./ingest-context.js";
import type { PhoneNormalizer } from "./phone.js";
import { ownerOf, type CustomerStore } from "./store.js";
import { normalizeEmail } from "./values.js";

/** The customer index, or -1 when no customer has this id, email or phone. */
export function findCustomerByKey(
  store: CustomerStore,
  phones: PhoneNormalizer,
  key: string,
): number {
  const id = cleanId(key);
  const byId = id === undefined ? undefined : store.byId.get(id);
  if (byId !== undefined) return byId;
  const email = normalizeEmail(key);
  const byEmail = email === undefined ? undefined : ownerOf(store.byEmail, email);
  if (byEmail !== undefined) return byEmail;
  const phone = phones.toE164(key);
  const byPhone = phone === undefined ? undefined : ownerOf(store.byPhone, phone);
  return byPhone ?? -1;
}
