/** Stylesheets are bundled as text (scripts/build-client.ts, loader '.css': 'text'). */
declare module '*.css' {
  const text: string;
  export default text;
}
