// mermaid only sanitises labels through DOMPurify while rendering; parsing never needs it, and
// the real DOMPurify needs a DOM that QuickJS does not have.
const stub = {
  sanitize: (text) => text,
  addHook: () => {},
  removeHook: () => {},
  removeHooks: () => {},
  removeAllHooks: () => {},
  isSupported: false,
};
export default stub;
