/** Size caps shared by every layer that frames bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Largest Signal ciphertext a frame may carry (leaves room for the JSON envelope and base64). */
export const MAX_CIPHERTEXT_BYTES = 40 * 1024;
/** Largest message text a person may send, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 16 * 1024;
