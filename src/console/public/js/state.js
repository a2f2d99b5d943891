// What the console knows right now, shared by its parts.
export const state = {
  /** Me from the API: { id, loginName, displayName, role, regionId, regionName }. */
  me: null,
  queue: { waiting: [], mine: [], others: [], chatLimit: null },
  alerts: [],
  /** The conversation open in the main area, if any. */
  openId: null,
};

export const isSupervising = () => state.me?.role === "supervisor" || state.me?.role === "admin";
