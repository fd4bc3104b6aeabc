// Lit's runtime alone, the reference the size benchmark subtracts.
export { LitElement, html, css, nothing } from 'lit';
