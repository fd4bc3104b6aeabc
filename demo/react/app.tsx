import { createRoot, type Root } from 'react-dom/client';
import { Phone, type PhoneProps } from './phone.js';

/** Renders one Phone per entry into `container`; the browser test mounts the same app the demo shows. */
export function mountPhones(container: Element, phones: PhoneProps[]): Root {
  const root = createRoot(container);
  root.render(phones.map((phone) => <Phone key={phone.caller} {...phone} />));
  return root;
}
