// Leading the class, end to end: a teacher and two students in one Chromium, three contexts, on a
// real `socklab serve --lan`. The server and the browser run inside a network namespace this test
// makes (only `lo`): --lan finds no LAN address there, so the students' link is on loopback too,
// and nothing can leave the namespace. The page tells teacher from student by the token it holds.
// Needs root and `ip` (as the companion's namespace tests); elsewhere it is skipped, saying so.
import { expect, Page, test } from "@playwright/test";
import { Classroom, openClassroom } from "./classroom-netns";

let room: Classroom;
let teacherUrl = "";
let studentsUrl = "";
let skipped = "";

test.beforeAll(async () => {
  room = await openClassroom(`socklab-e2e-class-${process.pid}`);
  ({ teacherUrl, studentsUrl, skipped } = room);
});

test.afterAll(async () => {
  await room?.close();
});

/** A page in a fresh context (its own localStorage, so its own token), opened at `url`. */
async function open(url: string, path: string): Promise<Page> {
  const context = await room.browser!.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const target = new URL(path, url);
  target.searchParams.set("token", new URL(url).searchParams.get("token")!);
  await page.goto(target.toString());
  await expect(page.getByTestId("companion-status")).toHaveAttribute("data-state", "connected");
  return page;
}

/** What the companion answers this page's own WebSocket (same origin, the token it holds) to `request`. */
async function ask(page: Page, token: string, request: object): Promise<any> {
  return page.evaluate(
    ([token, request]) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/ws?token=${token}`);
        ws.onopen = () => ws.send(JSON.stringify({ type: "hello", protocol: 1, client: "e2e" }));
        ws.onmessage = (e) => {
          const m = JSON.parse(e.data);
          if (m.type === "hello") ws.send(JSON.stringify(request));
          else if (m.type !== "class") resolve(m);
        };
        ws.onerror = () => reject(new Error("the WebSocket failed"));
      }),
    [token, request] as const,
  );
}

test("the teacher shows the class a page; a student who follows opens it, one who does not stays", async () => {
  test.skip(!!skipped, skipped);
  const teacher = await open(teacherUrl, "/struct");
  await expect(teacher.locator('.class-bar[data-role="teacher"]')).toBeVisible();
  const a = await open(studentsUrl, "/byte-order");
  const b = await open(studentsUrl, "/byte-order");
  for (const page of [a, b]) {
    await expect(page.locator('.class-bar[data-role="student"]')).toBeVisible();
    await expect(page.getByTestId("follow-teacher")).toBeChecked();
    await expect(page.getByTestId("class-count")).toHaveText("2 students connected");
    await expect(page.getByTestId("show-class")).toHaveCount(0);
  }
  await expect(teacher.getByTestId("class-count")).toHaveText("2 students connected, 2 following");

  // b explores alone.
  await b.getByTestId("follow-teacher").uncheck();
  await expect(teacher.getByTestId("class-count")).toHaveText("2 students connected, 1 following");
  // b's choice holds across a page load: the console is a page of another build.
  await b.locator('nav a[href="/console"]').click();
  await expect(b.locator("html")).toHaveAttribute("data-build", "console");
  await expect(b.getByTestId("companion-status")).toHaveAttribute("data-state", "connected");
  await expect(b.getByTestId("follow-teacher")).not.toBeChecked();
  await expect(teacher.getByTestId("class-count")).toHaveText("2 students connected, 1 following");

  // The teacher sets up an example; its whole state is in the link shown.
  await teacher.getByTestId("st-format").fill(">HH");
  await teacher.getByTestId("st-args").fill("1, 2");
  await expect(teacher).toHaveURL(/fmt=%3EHH/);
  for (const page of [a, b]) await page.evaluate(() => ((window as any).sameDocument = true));
  await teacher.getByTestId("show-class").click();
  await expect(teacher.getByTestId("class-result")).toHaveText("Shown to 1 student");
  await expect(a).toHaveURL(/\/struct\?.*fmt=%3EHH/);
  await expect(a.getByTestId("st-format")).toHaveValue(">HH");
  await expect(a.getByTestId("st-args")).toHaveValue("1, 2");
  expect(await a.evaluate(() => (window as any).sameDocument)).toBe(true); // no reload
  await b.waitForTimeout(500);
  await expect(b).toHaveURL(/\/console$/);

  // b follows again and is shown the next page.
  await b.getByTestId("follow-teacher").check();
  await expect(teacher.getByTestId("class-count")).toHaveText("2 students connected, 2 following");
  await teacher.locator('nav a[href="/text"]').click();
  await teacher.getByTestId("show-class").click();
  await expect(teacher.getByTestId("class-result")).toHaveText("Shown to 2 students");
  await expect(a).toHaveURL(/\/text/);
  await expect(b).toHaveURL(/\/text/);
  // A page of another build: the pages that follow load it.
  await teacher.locator('nav a[href="/console"]').click();
  await expect(teacher.locator("html")).toHaveAttribute("data-build", "console");
  await expect(teacher.getByTestId("companion-status")).toHaveAttribute("data-state", "connected");
  await teacher.getByTestId("show-class").click();
  await expect(teacher.getByTestId("class-result")).toHaveText("Shown to 2 students");
  for (const page of [a, b]) {
    await expect(page).toHaveURL(/\/console/);
    await expect(page.locator("html")).toHaveAttribute("data-build", "console");
    await expect(page.getByTestId("console-input-1")).toBeVisible();
  }
  // Each page keeps its own token: the teacher's never travelled.
  for (const page of [a, b]) {
    expect(await page.evaluate(() => localStorage.getItem("socklab.token"))).toBe(new URL(studentsUrl).searchParams.get("token"));
  }
});

test("a student's own WebSocket cannot show the class anything, and the teacher's links stay in the app", async () => {
  test.skip(!!skipped, skipped);
  const a = await open(studentsUrl, "/byte-order");
  const studentToken = new URL(studentsUrl).searchParams.get("token")!;
  const refused = await ask(a, studentToken, { type: "show_class", id: 1, link: "/struct" });
  expect(refused).toMatchObject({ type: "error", id: 1, code: "not_allowed" });
  const teacher = await open(teacherUrl, "/byte-order");
  const teacherToken = new URL(teacherUrl).searchParams.get("token")!;
  for (const link of ["https://example.com/", "//example.com/struct", "javascript:alert(1)", "/struct?token=x"]) {
    const m = await ask(teacher, teacherToken, { type: "show_class", id: 2, link });
    expect(m, link).toMatchObject({ type: "error", id: 2, code: "bad_link" });
  }
  await a.waitForTimeout(300);
  await expect(a).toHaveURL(/\/byte-order$/);
});
