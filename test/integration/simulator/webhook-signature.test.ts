import { signBody } from "../../../src/simulator/webhook-sender";

describe("webhook signature", () => {
  it("matches LINE's documented test vector", () => {
    const body = '{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}';
    expect(signBody("8c570fa6dd201bb328f1c1eac23a96d8", body)).toBe(
      "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=",
    );
  });

  it("matches the Python SDK's test vector", () => {
    expect(signBody("channel_secret", "bodybodybodybody")).toBe(
      "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k=",
    );
  });
});
