package org.mnemos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the repository's Markdown (README, docs, bench, ...) names a file that
 * exists and, with a {@code #fragment} into a Markdown file, a heading of it (GitHub's anchors).
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> pages = markdownFiles();
        assertThat(pages).contains(Path.of("README.md"), Path.of("docs", "architecture.md"));
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            boolean fenced = false;
            int number = 0;
            for (String line : Files.readAllLines(page)) {
                number++;
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                }
                Matcher link = LINK.matcher(line);
                while (!fenced && link.find()) {
                    String problem = check(page, link.group(1));
                    if (problem != null) {
                        broken.add(page + ":" + number + ": " + link.group(1) + " (" + problem + ")");
                    }
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    /** The repository's Markdown files, relative to its root; build output and hidden folders left out. */
    private static List<Path> markdownFiles() throws IOException {
        List<Path> pages = new ArrayList<>();
        Files.walkFileTree(Path.of(""), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return name.equals("target") || name.equals("node_modules") || name.startsWith(".")
                        ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.toString().endsWith(".md")) {
                    pages.add(file.normalize());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        pages.sort(null);
        return pages;
    }

    /** Why {@code target} does not resolve from {@code page}; null when it does. */
    private static String check(Path page, String target) throws IOException {
        if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
            return null; // http:, https:, mailto:
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : resolve(page, file);
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (fragment != null
                && resolved.toString().endsWith(".md")
                && !anchors(resolved).contains(fragment)) {
            return "no heading with that anchor";
        }
        return null;
    }

    private static Path resolve(Path page, String file) {
        Path parent = page.getParent();
        return (parent == null ? Path.of(file) : parent.resolve(file)).normalize();
    }

    /** GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces as '-'. */
    static List<String> anchors(Path markdown) throws IOException {
        List<String> anchors = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(markdown)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            }
            Matcher heading = HEADING.matcher(line);
            if (!fenced && heading.matches()) {
                anchors.add(heading.group(1)
                        .strip()
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "")
                        .replace(' ', '-'));
            }
        }
        return anchors;
    }
}
