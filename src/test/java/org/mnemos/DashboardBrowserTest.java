package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mnemos.experiment.SpecReader;
import org.mnemos.support.MnistSubset;
import org.mnemos.support.TestDatabase;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard in real headless Chromium (Debian's {@code chromium} + {@code chromium-driver})
 * against the whole service with an API key and short real runs on a small MNIST subset: the page
 * asks for the key; an invalid spec shows the server's field error at its line; a submitted run's
 * curve gains a point per phase while it trains (across a reload in the middle); the gallery's images
 * load, an optimized run's exemplars beside their originals, a CAM-compressed run's boxes and
 * heatmaps; two runs are compared from the list; a reloaded page and the list resume their event
 * streams after the last event (Last-Event-ID); a run started from an earlier run's spec is
 * cancelled with the keyboard; a seed group's page shows its arms' mean curves with ± std bands, the
 * paired differences the API computed and links to its members; two runs waiting for a pool without
 * a worker show their queue positions, the later one of higher priority first. Any console error fails the test except the 401 and 400 the steps
 * provoke on purpose. Screenshots go to {@code target/dashboard-screenshots}, or to
 * {@code docs/dashboard} with {@code -Dmnemos.screenshots.dir=docs/dashboard}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "mnemos.worker.heartbeat-seconds=2",
            "mnemos.worker.polling-seconds=1",
            "mnemos.worker.device=cpu",
            "mnemos.artifacts.dir=target/dashboard-artifacts",
            "mnemos.security.api-keys[0].id=dashboard",
            "mnemos.security.api-keys[0].key=" + DashboardBrowserTest.KEY,
            "mnemos.security.api-keys[0].scopes=read,write",
            // a pool without a worker: runs routed to it wait, for the queue positions
            "mnemos.pools.parked.memory-budget=64GB"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final String KEY = "dashboard-test-key";
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final JsonMapper JSON = SpecReader.json();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern UNAUTHORIZED = Pattern.compile("/api/v1/experiments.* 401 ");
    private static final Pattern BAD_REQUEST = Pattern.compile("/api/v1/experiments .* 400 ");

    /** Three phases of a small MLP on the MNIST subset: each phase lasts long enough to be seen, the run seconds. */
    private static String spec(String name, String method, int iterations) {
        return spec(name, method, iterations, "herding");
    }

    private static String spec(String name, String method, int iterations, String selector) {
        return """
                {"name": "%s", "seed": 1, "dataset": {"name": "mnist"},
                 "protocol": {"initialClasses": 4, "increment": 3, "classOrder": "natural"},
                 "model": {"backbone": "mlp", "hiddenUnits": [64]}, "method": {"name": "%s"},
                 "memory": {"selector": "%s", "perClass": 8%s},
                 "training": {"iterations": %d, "batchSize": 32, "optimizer": {"name": "adam", "lr": 0.001}}}""".formatted(
                        name,
                        method,
                        selector,
                        // the code mode keeps every stage (no held-out acceptance): the gallery always has a before and
                        // an after
                        selector.equals("mnemonics") ? ", \"mnemonics\": {\"mode\": \"code\", \"outerLr\": 0.5}" : "",
                        iterations);
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
        // 60 training and 20 test images per class of the real MNIST: phases of seconds, real digits in the gallery
        Path data = MnistSubset.write(Path.of("target", "dashboard-data"), 60, 20);
        registry.add("mnemos.data.roots", data::toString);
    }

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private ChromeDriver browser;
    private Path userDataDir;
    private Path screenshots;
    private String watchedRun;
    private String comparedRun;

    @BeforeAll
    void startBrowser() throws IOException {
        assertThat(CHROMEDRIVER)
                .as("Debian's chromium-driver: apt-get install -y chromium chromium-driver (.ci/run does)")
                .exists();
        userDataDir = Files.createTempDirectory("mnemos-chromium-");
        screenshots = Files.createDirectories(
                Path.of(System.getProperty("mnemos.screenshots.dir", "target/dashboard-screenshots")));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + userDataDir,
                "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        // the network requests, to see the Last-Event-ID header the pages send
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        try (var walk = Files.walk(userDataDir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void asksForTheKeyThenShowsTheList() {
        browser.get(base() + "/");
        WebElement input = until(d -> visible(By.id("key-input")));
        input.sendKeys(KEY, Keys.ENTER);
        until(d -> ready("list"));
        assertThat(text(By.tagName("main"))).contains("Experiments");
        assertConsoleClean(UNAUTHORIZED);
    }

    @Test
    @Order(2)
    void anInvalidSpecShowsTheServersFieldErrorAtItsLine() {
        browser.get(base() + "/#/submit");
        until(d -> ready("submit"));
        setEditor(spec("invalid", "replay", 0));
        browser.findElement(By.id("submit-spec")).click();
        WebElement error = until(d -> visible(By.cssSelector(".field-error[data-field='training.iterations']")));
        assertThat(error.getText()).contains("training.iterations");
        int line = Integer.parseInt(error.getDomAttribute("data-line"));
        String editorLine =
                ((String) script("return document.getElementById('spec-editor').value")).split("\n")[line - 1];
        assertThat(editorLine).contains("\"iterations\": 0");
        assertThat(browser.findElements(By.cssSelector(".gutter .error-line"))).hasSize(1);
        assertThat(browser.findElement(By.id("spec-editor")).getDomAttribute("aria-invalid"))
                .isEqualTo("true");
        assertConsoleClean(BAD_REQUEST);
    }

    @Test
    @Order(3)
    void theCurveGainsAPointPerPhaseWhileTheRunTrainsAcrossAReload() {
        browser.get(base() + "/#/submit");
        until(d -> ready("submit"));
        setEditor(spec("watched replay", "replay", 150));
        browser.findElement(By.id("submit-spec")).click();
        until(d -> ready("experiment"));
        watchedRun = browser.getCurrentUrl().replaceAll(".*/experiments/", "");

        // points seen while the page said the run was still going (queued or running)
        TreeSet<Integer> seenWhileRunning = new TreeSet<>();
        boolean reloaded = false;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Map<?, ?> state = (Map<?, ?>) script("""
                    const chart = document.getElementById('accuracy-curve');
                    const badge = document.querySelector('main .status');
                    return {points: chart ? Number(chart.dataset.points) : -1, status: badge ? badge.dataset.status : ''};""");
            int points = ((Number) state.get("points")).intValue();
            String status = (String) state.get("status");
            if (status.equals("SUCCEEDED")) {
                break;
            }
            assertThat(status).isIn("QUEUED", "RUNNING", "");
            if (points >= 0 && !status.isEmpty()) {
                seenWhileRunning.add(points);
            }
            if (points == 1 && !reloaded) {
                long seen = Long.parseLong(sessionStorage("mnemos.lastEvent." + watchedRun));
                browser.manage().logs().get(LogType.PERFORMANCE); // drops the requests so far
                browser.navigate().refresh(); // the page comes back from the API and resumes after its last event
                reloaded = true;
                until(d -> ready("experiment"));
                List<Long> resumedAfter = this.<List<Long>>until(d -> lastEventIdsSent(watchedRun));
                assertThat(resumedAfter)
                        .as("Last-Event-ID of the reloaded page's event stream")
                        .singleElement()
                        .satisfies(id ->
                                assertThat(id).isGreaterThanOrEqualTo(seen).isPositive());
            }
            sleep(100);
        }
        assertThat(reloaded).isTrue();
        assertThat(seenWhileRunning)
                .as("points of the curve seen while the run trained")
                .contains(0, 1, 2);
        until(d -> "3".equals(browser.findElement(By.id("accuracy-curve")).getDomAttribute("data-points")));
        assertThat(browser.findElements(By.cssSelector("#accuracy-matrix tbody tr")))
                .hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#phase-timings a[download]")))
                .hasSize(9);
        assertThat(browser.findElements(By.cssSelector("#phase-timings a[href$='checkpoint?format=pytorch']")))
                .hasSize(3);
        assertThat(sessionStorage("mnemos.lastEvent." + watchedRun)).isNotNull();
        screenshot("experiment");
        assertConsoleClean();
    }

    @Test
    @Order(4)
    void theGalleryShowsTheExemplarImages() {
        browser.findElement(By.id("open-gallery")).click();
        until(d -> ready("gallery"));
        // 10 classes after the last phase, 8 exemplars each
        until(d -> (Boolean) script("""
                const images = [...document.querySelectorAll('figure.exemplar img')];
                return images.length === 80 && images.every(i => i.complete && i.naturalWidth > 0);"""));
        assertThat(((Number) script("return document.querySelector('figure.exemplar img').naturalWidth")).intValue())
                .isEqualTo(28);
        assertThat(browser.findElements(By.cssSelector("section.class-group"))).hasSize(10);
        assertThat(text(By.cssSelector("figure.exemplar figcaption"))).isEqualTo("real");
        screenshot("gallery");
        assertConsoleClean();
    }

    @Test
    @Order(5)
    void twoRunsAreComparedFromTheList() throws Exception {
        // mnemonics exemplars: the gallery's before and after views are checked on this run next
        comparedRun = submit(spec("compared icarl", "icarl", 60, "mnemonics"));
        awaitStatus(comparedRun, "SUCCEEDED");
        browser.get(base() + "/#/");
        until(d -> ready("list"));
        assertThat(browser.findElements(By.cssSelector("table.experiments tbody tr")))
                .hasSize(2);
        screenshot("list");
        for (String id : List.of(watchedRun, comparedRun)) {
            browser.findElement(By.cssSelector("input[name=compare][value='" + id + "']"))
                    .click();
        }
        browser.findElement(By.id("compare-selected")).click();
        until(d -> ready("compare"));
        assertThat(browser.getCurrentUrl()).contains(watchedRun).contains(comparedRun);
        WebElement chart = browser.findElement(By.id("compare-chart"));
        assertThat(chart.getDomAttribute("data-series")).isEqualTo("2");
        assertThat(chart.getDomAttribute("data-points")).isEqualTo("3");
        assertThat(browser.findElements(By.cssSelector("#compare-table tbody tr")))
                .hasSize(2);
        screenshot("compare");
        // the comparison is a link: opened afresh, it shows the same runs
        String shared = browser.getCurrentUrl();
        browser.get(base() + "/#/");
        browser.get(shared);
        until(d -> ready("compare"));
        assertThat(browser.findElements(By.cssSelector("#compare-table tbody tr")))
                .hasSize(2);
        assertConsoleClean();
    }

    @Test
    @Order(6)
    void optimizedExemplarsAreShownBeforeAndAfterTheirOptimization() {
        browser.get(base() + "/#/experiments/" + comparedRun + "/gallery");
        until(d -> ready("gallery"));
        // 10 classes x 8 exemplars, all optimized, each beside the training image it was made from
        until(d -> (Boolean) script("""
                const pairs = [...document.querySelectorAll('figure.exemplar.kind-optimized.has-original')];
                return pairs.length === 80 && pairs.every(f => [...f.querySelectorAll('img')].length === 2
                  && [...f.querySelectorAll('img')].every(i => i.complete && i.naturalWidth === 28));"""));
        WebElement first = browser.findElement(By.cssSelector("figure.exemplar.has-original"));
        assertThat(first.findElement(By.cssSelector(".frame.original img")).getDomAttribute("alt"))
                .contains("before optimization");
        assertThat(first.findElement(By.tagName("figcaption")).getText()).isEqualTo("before · after optimized");
        screenshot("gallery-optimized");
        // the toggle hides the originals and shows the optimized exemplars alone
        browser.findElement(By.id("show-originals")).click();
        assertThat(first.findElement(By.cssSelector(".frame.original")).isDisplayed())
                .isFalse();
        assertThat(first.findElement(By.tagName("figcaption")).getText()).isEqualTo("optimized");
        assertThat(browser.findElements(By.id("show-heatmaps")))
                .as("no compressed exemplars, no heatmap toggle")
                .isEmpty();
        assertConsoleClean();
    }

    @Test
    @Order(7)
    void compressedExemplarsShowTheirBoxAndCamHeatmap() throws Exception {
        // CAM compression needs a convolutional backbone: ResNet-8, one epoch per phase, on the same MNIST subset
        String cam = submit("""
                {"name": "cam", "seed": 1, "dataset": {"name": "mnist"},
                 "protocol": {"initialClasses": 4, "increment": 3, "classOrder": "natural"},
                 "model": {"backbone": "resnet8"}, "method": {"name": "icarl"},
                 "memory": {"selector": "herding", "perClass": 4, "compression": {"name": "cam", "ratio": 4.0, "threshold": 0.5}},
                 "training": {"epochs": 1, "batchSize": 32, "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9}}}""");
        awaitStatus(cam, "SUCCEEDED");
        JsonNode listing = getJson("/api/v1/experiments/" + cam + "/phases/2/exemplars/images");
        long boxes = 0;
        long heatmaps = 0;
        for (JsonNode image : listing.get("images")) {
            boxes += image.has("box") ? 1 : 0;
            heatmaps += image.has("heatmapUrl") ? 1 : 0;
        }
        assertThat(boxes).as("compressed exemplars").isPositive();
        assertThat(heatmaps).as("exemplars with a heatmap").isPositive();
        long expectedBoxes = boxes;
        long expectedHeatmaps = heatmaps;

        browser.get(base() + "/");
        script("sessionStorage.setItem('mnemos.apiKey', arguments[0])"
                .replace("arguments[0]", JSON.writeValueAsString(KEY)));
        browser.get(base() + "/#/experiments/" + cam + "/gallery");
        until(d -> ready("gallery"));
        until(d -> (Boolean) script("""
                const maps = [...document.querySelectorAll('figure.exemplar img.heatmap')];
                return maps.length === %d && maps.every(i => i.complete && i.naturalWidth === 28)
                  && document.querySelectorAll('figure.kind-compressed .box').length === %d;""".formatted(expectedHeatmaps, expectedBoxes)));
        WebElement box = browser.findElement(By.cssSelector("figure.kind-compressed .box"));
        assertThat(box.isDisplayed()).isTrue();
        assertThat(box.getDomAttribute("aria-label")).startsWith("kept at full resolution: rows ");
        assertThat(text(By.cssSelector("figure.kind-compressed figcaption"))).matches("compressed · \\d+% stored");
        screenshot("gallery-compressed");
        browser.findElement(By.id("show-heatmaps")).click();
        assertThat(box.isDisplayed()).isFalse();
        assertThat(browser.findElement(By.cssSelector("img.heatmap")).isDisplayed())
                .isFalse();
        assertConsoleClean();
    }

    @Test
    @Order(8)
    void aRunFromAnEarlierRunsSpecIsCancelledWithTheKeyboard() throws Exception {
        // started from the watched run's resolved spec (Use as template), with a schedule long enough to cancel
        browser.get(base() + "/#/submit?from=" + watchedRun);
        until(d -> ready("submit"));
        script("""
                const editor = document.getElementById('spec-editor');
                const spec = JSON.parse(editor.value);
                spec.name = 'to cancel';
                spec.training.iterations = 200000;
                editor.value = JSON.stringify(spec, null, 2);""");
        browser.findElement(By.id("submit-spec")).click();
        until(d -> ready("experiment"));
        String id = browser.getCurrentUrl().replaceAll(".*/experiments/", "");
        until(d -> "RUNNING".equals(status()));
        // the list follows the running row from the event its snapshot ends at, not from the first
        browser.manage().logs().get(LogType.PERFORMANCE);
        browser.get(base() + "/#/");
        until(d -> ready("list"));
        List<Long> followedAfter = this.<List<Long>>until(d -> lastEventIdsSent(id));
        assertThat(followedAfter)
                .singleElement()
                .satisfies(last -> assertThat(last).isPositive());
        browser.get(base() + "/#/experiments/" + id);
        until(d -> ready("experiment"));
        WebElement cancel = browser.findElement(By.id("cancel"));
        cancel.sendKeys(Keys.ENTER);
        until(d -> visible(By.id("confirm-dialog")));
        // the dialog focuses its harmless button first; Tab reaches the confirmation
        browser.switchTo().activeElement().sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("confirm-ok");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        until(d -> "CANCELLED".equals(status()));
        assertThat(getJson("/api/v1/experiments/" + id).get("status").asString())
                .isEqualTo("CANCELLED");
        assertConsoleClean();
    }

    @Test
    @Order(9)
    void phoneWidthNeedsNoSidewaysScrolling() {
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String page : List.of(
                    "/#/",
                    "/#/experiments/" + watchedRun,
                    "/#/compare?ids=" + watchedRun + "," + comparedRun,
                    "/#/submit")) {
                browser.get(base() + page);
                until(d -> "true".equals(browser.findElement(By.id("view")).getDomAttribute("data-ready")));
                long overflow = ((Number) script("return document.documentElement.scrollWidth - window.innerWidth"))
                        .longValue();
                assertThat(overflow)
                        .as("sideways overflow of %s at 390 px", page)
                        .isLessThanOrEqualTo(0);
            }
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
        assertConsoleClean();
    }

    @Test
    @Order(10)
    void aGroupPageShowsMeanCurvesWithBandsThePairedDifferencesAndLinksToMembers() throws Exception {
        String body = """
                {"name": "replay vs icarl", "seeds": [1, 2, 3], "arms": [
                  {"label": "replay", "spec": %s}, {"label": "icarl", "spec": %s}]}""".formatted(
                        spec("replay", "replay", 40).replace("\"seed\": 1, ", ""),
                        spec("icarl", "icarl", 40).replace("\"seed\": 1, ", ""));
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/v1/groups"))
                        .header("Content-Type", "application/json")
                        .header("X-API-Key", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode group = JSON.readTree(created.body());
        String id = group.get("id").asString();
        for (JsonNode member : group.get("members")) {
            awaitStatus(member.get("experiment").asString(), "SUCCEEDED");
        }
        JsonNode view = getJson("/api/v1/groups/" + id);

        browser.get(base() + "/#/groups");
        until(d -> ready("groups"));
        browser.findElement(By.cssSelector("#groups-table a[href='#/groups/" + id + "']"))
                .click();
        until(d -> ready("group"));
        WebElement chart = browser.findElement(By.id("group-curve"));
        assertThat(chart.getDomAttribute("data-series")).isEqualTo("2");
        assertThat(chart.getDomAttribute("data-bands")).isEqualTo("2");
        assertThat(chart.getDomAttribute("data-points")).isEqualTo("3");
        assertThat(browser.findElements(By.cssSelector("#arms-table tbody tr"))).hasSize(2);
        // one pair of arms, four metrics: icarl - replay, as the API computed it
        List<WebElement> differences = browser.findElements(By.cssSelector("#differences-table tbody tr"));
        assertThat(differences).hasSize(4);
        JsonNode finalAccuracy = view.get("comparisons").get(0).get("metrics").get("finalAccuracy");
        WebElement first = differences.get(0);
        assertThat(first.getDomAttribute("data-arm")).isEqualTo("icarl");
        assertThat(first.getDomAttribute("data-baseline")).isEqualTo("replay");
        assertThat(Double.parseDouble(
                        first.findElement(By.cssSelector("td[data-value]")).getDomAttribute("data-value")))
                .isEqualTo(finalAccuracy.get("mean").asDouble());
        assertThat(first.getText())
                .contains(String.format(
                        "%.2f pp", 100 * Math.abs(finalAccuracy.get("low").asDouble())));
        List<WebElement> links = browser.findElements(By.cssSelector("#members-table a.member-link"));
        assertThat(links).hasSize(6);
        screenshot("group");
        String member =
                view.get("arms").get(1).get("members").get(0).get("experiment").asString();
        browser.findElement(By.cssSelector("#members-table a[href='#/experiments/" + member + "']"))
                .click();
        until(d -> ready("experiment"));
        assertThat(browser.getCurrentUrl()).endsWith("/experiments/" + member);

        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.get(base() + "/#/groups/" + id);
            until(d -> ready("group"));
            long overflow =
                    ((Number) script("return document.documentElement.scrollWidth - window.innerWidth")).longValue();
            assertThat(overflow)
                    .as("sideways overflow of the group page at 390 px")
                    .isLessThanOrEqualTo(0);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
        assertConsoleClean();
    }

    @Test
    @Order(11)
    void theExperimentPageShowsThePhasesConfusionHeatMapAndTheRunsReferenceCard() throws Exception {
        browser.get(base() + "/#/experiments/" + watchedRun);
        until(d -> ready("experiment"));
        // the last phase: 10 seen classes, each row summing to its 20 test images
        until(d -> !d.findElements(By.cssSelector("#confusion-matrix table.confusion"))
                .isEmpty());
        WebElement heatmap = browser.findElement(By.cssSelector("#confusion-matrix table.confusion"));
        assertThat(heatmap.getDomAttribute("data-classes")).isEqualTo("10");
        List<WebElement> rows = heatmap.findElements(By.cssSelector("tbody tr"));
        assertThat(rows).hasSize(10);
        JsonNode phases = getJson("/api/v1/experiments/" + watchedRun + "/phases");
        JsonNode confusion =
                phases.get(2).get("reports").get("evaluation").get("cnn").get("confusion");
        for (int i = 0; i < rows.size(); i++) {
            List<WebElement> cells = rows.get(i).findElements(By.cssSelector("td[data-count]"));
            assertThat(cells).hasSize(10);
            int sum = 0;
            for (int j = 0; j < cells.size(); j++) {
                int count = Integer.parseInt(cells.get(j).getDomAttribute("data-count"));
                assertThat(count).isEqualTo(confusion.get(i).get(j).asInt());
                sum += count;
            }
            assertThat(sum).isEqualTo(20);
        }
        assertThat(text(By.id("confusion-figures"))).contains("task-aware");
        // phase 0 on request: its 4 classes
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("confusion-phase"))).selectByValue("0");
        until(d -> "4"
                .equals(d.findElement(By.cssSelector("#confusion-matrix table.confusion"))
                        .getDomAttribute("data-classes")));
        assertThat(browser.findElements(By.cssSelector("#confusion-matrix tbody tr")))
                .hasSize(4);
        // a run without a preset has no reference card
        assertThat(browser.findElement(By.id("reference-card")).isDisplayed()).isFalse();

        // a run stored as a run of a preset with a card: the card, its status and the fields this run changed
        jdbc.update(
                "update experiments set resolved_spec = jsonb_set(resolved_spec, '{preset}', '\"cifar100-lucir-b50-10\"')"
                        + " where id = ?::uuid",
                comparedRun);
        JsonNode reference = getJson("/api/v1/experiments/" + comparedRun).get("reference");
        assertThat(reference.get("status").asString()).isEqualTo("specDiffers");
        browser.get(base() + "/#/experiments/" + comparedRun);
        until(d -> ready("experiment"));
        WebElement card = until(d -> visible(By.id("reference-card")));
        assertThat(card.getDomAttribute("data-status")).isEqualTo("specDiffers");
        assertThat(card.getText())
                .contains(reference.get("card").get("paper").get("title").asString())
                .contains(reference.get("card").get("table").asString());
        List<WebElement> differences = browser.findElements(By.cssSelector("#reference-differences tbody tr"));
        assertThat(differences).hasSize(reference.get("differences").size());
        assertThat(differences)
                .extracting(row -> row.getDomAttribute("data-field"))
                .contains("dataset.name");
        screenshot("experiment-reference");
        assertConsoleClean();
    }

    @Test
    @Order(12)
    void waitingRunsShowTheirPlaceInTheirPoolsQueue() throws Exception {
        String first = submit(spec("parked first", "icarl", 50)
                .replace("\"seed\": 1,", "\"seed\": 1, \"resources\": {\"pool\": \"parked\"},"));
        String urgent = submit(spec("parked urgent", "icarl", 50)
                .replace("\"seed\": 1,", "\"seed\": 1, \"resources\": {\"pool\": \"parked\", \"priority\": 5},"));
        try {
            browser.get(base() + "/#/?status=QUEUED");
            until(d -> ready("list"));
            assertThat(text(By.cssSelector("tr[data-id='" + urgent + "'] .queue-position")))
                    .as("submitted later at a higher priority")
                    .isEqualTo("#1");
            assertThat(text(By.cssSelector("tr[data-id='" + first + "'] .queue-position")))
                    .isEqualTo("#2");
            browser.get(base() + "/#/experiments/" + first);
            until(d -> ready("experiment"));
            assertThat(text(By.id("queue-position")))
                    .isEqualTo("Number 2 in pool parked's queue: 1 waiting phase ahead.");
            assertConsoleClean();
        } finally {
            for (String id : List.of(first, urgent)) {
                http.send(
                        HttpRequest.newBuilder(URI.create(base() + "/api/v1/experiments/" + id + "/cancel"))
                                .header("X-API-Key", KEY)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                // no worker of the pool will ever drop the cancelled runs' executions from the shared database
                jdbc.update("delete from scheduled_tasks where task_instance like ?", id + "/%");
            }
        }
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private boolean ready(String view) {
        WebElement main = browser.findElement(By.id("view"));
        return view.equals(main.getDomAttribute("data-view")) && "true".equals(main.getDomAttribute("data-ready"));
    }

    private WebElement visible(By by) {
        List<WebElement> found = browser.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
    }

    private <T> T until(java.util.function.Function<org.openqa.selenium.WebDriver, T> condition) {
        try {
            // the page redraws while a run trains: an element found a moment ago may be gone
            return new WebDriverWait(browser, WAIT, Duration.ofMillis(100))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(condition);
        } catch (org.openqa.selenium.TimeoutException timeout) {
            throw new AssertionError(
                    "Timed out on " + browser.getCurrentUrl() + "\nconsole: "
                            + browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                                    .map(LogEntry::toString)
                                    .toList()
                            + "\npage: " + script("return document.body.innerHTML"),
                    timeout);
        }
    }

    private Object script(String body) {
        return ((JavascriptExecutor) browser).executeScript(body);
    }

    private String text(By by) {
        return browser.findElement(by).getText();
    }

    /** The status badge of the experiment page, read in one script (the badge is redrawn on every event). */
    private String status() {
        return (String) script(
                "const badge = document.querySelector('main .status'); return badge ? badge.dataset.status : null;");
    }

    /** The Last-Event-ID of each request for the run's event stream since the performance log was last read; null while none. */
    private List<Long> lastEventIdsSent(String experimentId) {
        List<Long> ids = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JSON.readTree(entry.getMessage()).path("message");
            JsonNode request = message.path("params").path("request");
            if (message.path("method").asString("").equals("Network.requestWillBeSent")
                    && request.path("url").asString("").endsWith("/api/v1/experiments/" + experimentId + "/events")) {
                ids.add(Long.parseLong(
                        request.path("headers").path("Last-Event-ID").asString("-1")));
            }
        }
        return ids.isEmpty() ? null : ids;
    }

    private String sessionStorage(String key) {
        return (String) script("return sessionStorage.getItem('" + key + "')");
    }

    private void setEditor(String spec) {
        script(
                "const e = document.getElementById('spec-editor'); e.value = arguments[0]; e.dispatchEvent(new Event('input'));"
                        .replace("arguments[0]", JSON.writeValueAsString(spec)));
    }

    /** The whole page at laptop width (up to 2000 px high). */
    private void screenshot(String name) {
        long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(2000, Math.max(900, height + 120))));
        try {
            sleep(300); // charts follow the new size
            Files.write(
                    screenshots.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    /** Fails on any console error but those the step provoked on purpose (one per pattern given). */
    private void assertConsoleClean(Pattern... expected) {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(entry.getMessage());
            }
        }
        for (Pattern pattern : expected) {
            assertThat(errors)
                    .as("the console error this step expects")
                    .anyMatch(e -> pattern.matcher(e).find());
            errors.removeIf(e -> pattern.matcher(e).find());
        }
        assertThat(errors).as("console errors").isEmpty();
    }

    private String submit(String spec) throws Exception {
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/v1/experiments"))
                        .header("Content-Type", "application/json")
                        .header("X-API-Key", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(spec))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("id").asString();
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base() + path))
                        .header("X-API-Key", KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private void awaitStatus(String id, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!getJson("/api/v1/experiments/" + id).get("status").asString().equals(status)) {
            assertThat(System.nanoTime()).as("%s reaches %s", id, status).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
