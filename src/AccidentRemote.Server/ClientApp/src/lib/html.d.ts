// HTML fragments are bundled as text (build.mjs: loader ".html": "text").
declare module "*.html" {
  const html: string;
  export default html;
}
