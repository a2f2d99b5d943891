// Prisma CLI configuration (generate, validate, format). The app itself never reads this file:
// it connects through @prisma/adapter-pg with the URL from src/config.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unused" },
});
