// Tests that need LibreOffice (Debian's libreoffice-calc-nogui): npm run test:office. npm test needs only Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/office/**/*.office.ts"],
    setupFiles: ["test/setup/no-console.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
