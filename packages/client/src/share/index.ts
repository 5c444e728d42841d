export { tabSharing } from "./tab-sharing.js";
export type { TabSharing, Sharing, SharingHost } from "./types.js";
