"""Files -> model: load every source of a project, keep positions, report every problem at once."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ProjectError, rel
from ..site.links import Link, find_links
from .model import Config, IssueMeta, PageMeta, PersonaMeta, Sample, Samples, SequenceMeta, SLUG_RE
from .source import (FrontMatter, Loc, Positions, SourceError, body_of, decoded, front_matter_end, markdown_problem,
                     parse_yaml, read_bytes, read_text, split_front_matter)
from .validate import validate

CONFIG_FILE = "welcome.yaml"
# Top-level site paths that a page slug must not take.
RESERVED_SLUGS = {"for", "fit", "newsletter", "tags", "404", "assets", "feed", "sitemap", "_emails"}
# The fit page's own text, if the author writes one: its title, description and body replace the theme's.
FIT_FILE = "content/fit.md"


def reserved_slug(slug: str) -> str:
    """Why a page cannot take `slug`, and what to do instead."""
    if slug == "fit":
        return ("the slug 'fit' is the site's fit page: to change its title and text, write them in content/fit.md "
                "(title, description, and the text above the personas), without a slug; to change its layout, "
                "`welcome-gen theme export fit.html` and edit templates/site/fit.html")
    return (f"the slug '{slug}' is reserved for the site's own pages: choose another slug (to change how those pages "
            "look, `welcome-gen theme export` lists the theme's files to copy into templates/ and edit)")


@dataclass
class Document:
    """One markdown file with validated front matter."""

    path: str  # relative to the project root, as the author sees it
    meta: Any
    _body: str | Unread  # the body, or (front matter remembered from the same bytes) where to read it
    body_line: int
    positions: Positions
    slug: str
    links: list[Link] = field(default_factory=list)  # the internal links in its body, each at its line
    digest: str | None = None  # of the file's bytes, when known: the same digest, the same body

    @property
    def body(self) -> str:
        if isinstance(self._body, Unread):
            self._body = self._body.read()
        return self._body

    def line(self, *loc: Any) -> int | None:
        return self.positions.line(loc)


@dataclass(frozen=True)
class Unread:
    """The body of a file an earlier build read, front matter, links and all, from the very bytes the build has
    just digested: read only if a page or an email needs the text (an edit re-renders a few pages of thousands).
    What is read must still be those bytes; a file saved meanwhile stops the build, to be run again."""

    file: str
    shown: str
    digest: str

    def read(self) -> str:
        try:
            data = read_bytes(self.file, self.shown)
            if hashlib.sha256(data).hexdigest() != self.digest:
                raise SourceError(Problem(self.shown, None, "changed while the build was reading the project; "
                                                            "build again"))
            body = body_of(decoded(data, self.shown))
        except SourceError as exc:
            raise ProjectError([exc.problem]) from None
        if body is None:  # cannot be: these bytes had front matter before
            raise ProjectError([Problem(self.shown, 1, "front matter is not closed: add a '---' line after it")])
        return body


@dataclass
class StepBody:
    """A markdown file a sequence's step names as its body, read once."""

    path: str  # relative to the project root
    text: str


@dataclass
class SequenceFile:
    """One sequence: its schema plus the markdown bodies its steps name."""

    key: str  # from the file name: sequences/welcome.yaml -> "welcome"
    path: str
    meta: SequenceMeta
    positions: Positions
    bodies: dict[str, StepBody] = field(default_factory=dict)  # as written in the YAML -> body

    def line(self, *loc: Any) -> int | None:
        return self.positions.line(loc)


@dataclass
class Project:
    """The author's whole project, loaded and checked: settings, pages, personas, newsletter issues, sequences and
    sample subscribers, each with where it came from. Every stage reads it; none changes it."""

    root: Path
    config: Config
    config_positions: Positions
    pages: list[Document]
    personas: list[Document]
    issues: list[Document]
    sequences: list[SequenceFile]
    samples: list[Sample]

    @property
    def fit_personas(self) -> list[Document]:
        return [p for p in self.personas if p.meta.fit]

    @property
    def unfit_personas(self) -> list[Document]:
        return [p for p in self.personas if not p.meta.fit]

    def persona(self, slug: str) -> Document | None:
        return next((p for p in self.personas if p.slug == slug), None)

    @property
    def persona_choices(self) -> list[str]:
        """The persona field's choices: each fit persona's slug, then the slugs it had before (`formerly`)."""
        return [s for p in self.fit_personas for s in (p.slug, *p.meta.formerly)]

    def persona_of_choice(self, value: str) -> str:
        """The persona a member's chosen value names: by slug, an earlier slug, or (as audiences pushed before
        the choices were slugs hold) a title; a value that names none is kept as it is."""
        wanted = value.strip().lower()
        for p in self.personas:
            if wanted in (p.slug, *p.meta.formerly) or wanted == p.meta.title.lower():
                return p.slug
        return value.strip()

    def sequence(self, key: str) -> SequenceFile | None:
        return next((s for s in self.sequences if s.key == key), None)

    def config_line(self, *loc: Any) -> int | None:
        return self.config_positions.line(loc)


# The markdown files the last load in this process read, by (folder, path, kind, digest of the bytes): a
# long-running `serve` reads again only what changed. Documents are never changed once loaded, so sharing them is
# safe; the folder keeps another project's (whose body may still be read from its own file) apart.
_read_before: dict[tuple[str, str, str, str], tuple[list[Problem], Document | None, str | None]] = {}


class _Loader:
    def __init__(self, root: Path, digests: dict[str, str] | None = None, front_matter: Any = None):
        self.root = root
        self.digests = digests or {}  # the sources' digests, as the build read them: only these are reused
        self.front_matter = front_matter  # front matter remembered by digest (`cache.FrontMatterStore`)
        self.read: dict[tuple[str, str, str, str], tuple[list[Problem], Document | None, str | None]] = {}
        self.problems: list[Problem] = []
        # Slugs of files that failed to load, by kind: references to them are not reported a second time.
        self.broken: dict[str, set[str]] = {}

    def shown(self, path: Path) -> str:
        return rel(path, self.root)

    def yaml_file(self, path: Path) -> tuple[Any, Positions] | None:
        shown = self.shown(path)
        digest = self.digests.get(shown)
        found = self.front_matter.get(shown, digest) if digest and self.front_matter is not None else None
        if found is not None:  # these very bytes were read before: the data and lines as YAML gave them
            data, positions = found[0], Positions(found[1], found[2])
        else:
            try:
                data, positions = parse_yaml(read_text(path, shown, self.root), shown)
            except SourceError as exc:
                self.problems.append(exc.problem)
                return None
            if digest and self.front_matter is not None:
                self.front_matter.put(shown, digest, data, positions.lines, positions.offset, 0)
        if data is not None and not isinstance(data, dict):
            self.problems.append(Problem(shown, 1, "expected a mapping of 'key: value' lines at the top level"))
            return None
        return data, positions

    def markdown_files(self, folder: Path, model: type, kind: str) -> list[Document]:
        docs: list[Document] = []
        if not folder.is_dir():
            return docs
        where = self.shown(folder)
        # A file in a folder inside the project is inside unless it is itself a link: resolved once, not per file.
        folder_inside = folder.resolve().is_relative_to(self.root.resolve())
        top = os.fspath(folder)  # each file's path made as text: a Path apiece costs more than reading the file
        with os.scandir(folder) as listing:  # as glob("*.md") finds them, links told apart without a call each
            found_here = sorted((entry.name, entry.is_symlink()) for entry in listing if entry.name.endswith(".md"))
        for name, linked in found_here:
            shown = f"{where}/{name}"  # as rel() gives it, without asking for each file
            digest = self.digests.get(shown)
            key = (top, shown, kind, digest)  # a document reads its body from its own project's file
            found = _read_before.get(key) if digest else None
            if found is not None and self.front_matter is not None:
                self.front_matter.keep(shown, digest)  # still remembered for the next process's build
            if found is None:
                found = self.markdown_file(f"{top}/{name}", shown, model, kind, checked=folder_inside and not linked,
                                           digest=digest)
            if digest:
                self.read[key] = found
            problems, doc, broken = found
            self.problems += problems
            if broken is not None:
                self.broken.setdefault(kind, set()).add(broken)
            if doc is not None:
                docs.append(doc)
        self.unique_slugs(docs, kind)
        return docs

    def markdown_file(self, path: Path | str, shown: str, model: type, kind: str, checked: bool = False,
                      digest: str | None = None) -> tuple[list[Problem], Document | None, str | None]:
        """One markdown file: its problems, the document (None if it cannot be used), and the slug of a file
        that failed validation (its references are not reported again). `checked`: known to be inside;
        `digest`: of its bytes, under which its front matter may be remembered."""
        remembered = self.remembered(path, shown, digest) if checked else None
        if remembered is not None:  # these bytes loaded without a problem before: the body is not even read
            fm, links = remembered
            slow = None
        else:
            try:
                fm, head = self.front_matter_of(read_text(path, shown, None if checked else self.root), shown)
            except SourceError as exc:
                return [exc.problem], None, None
            slow = markdown_problem(fm.body, shown, fm.body_line)
            links = find_links(fm.body, fm.body_line) if slow is None else []
            if slow is None and digest and self.front_matter is not None:
                self.front_matter.put(shown, digest, fm.meta, fm.positions.lines, fm.positions.offset,
                                      fm.body_line, links, head)
        meta, problems = validate(model, fm.meta, shown, fm.positions)
        if slow is not None:
            return [*problems, slow], None, None
        if meta is None:
            slug = fm.meta.get("slug") if isinstance(fm.meta, dict) else None
            return problems, None, slug if isinstance(slug, str) else _stem(path)
        slug = meta.slug or _stem(path)
        if not SLUG_RE.match(slug):
            line = fm.positions.line(("slug",)) if meta.slug else 1
            return [*problems, Problem(shown, line, f"'{slug}' cannot be used as a {kind} slug: use lowercase "
                                                    "letters, digits and '-' only (rename the file or set 'slug')")], \
                None, None
        return problems, Document(shown, meta, fm.body, fm.body_line, fm.positions, slug, links, digest), None

    def front_matter_of(self, text: str, shown: str) -> tuple[FrontMatter, str | None]:
        """The file's front matter and body, and the digest of its front matter's lines: where only the body
        changed since the last build (the usual edit), the front matter is taken as YAML read it then."""
        start = front_matter_end(text)
        if start is None or self.front_matter is None:
            return split_front_matter(text, shown), None
        head = hashlib.sha256(text[:start].encode("utf-8")).hexdigest()
        found = self.front_matter.by_head(shown, head)
        if found is None:
            return split_front_matter(text, shown), head
        meta, lines, offset, body_line = found
        return FrontMatter(meta, Positions(lines, offset), text[start:], body_line), head

    def remembered(self, path: str, shown: str, digest: str | None) -> tuple[FrontMatter, list[Link]] | None:
        """The front matter and links an earlier build read from these very bytes (which passed every check of
        their markdown), unparsed and its body unread this time; None if not remembered."""
        if not digest or self.front_matter is None:
            return None
        found = self.front_matter.get(shown, digest)
        if found is None or found[4] is None:
            return None
        meta, lines, offset, body_line, links = found
        return FrontMatter(meta, Positions(lines, offset), Unread(os.fspath(path), shown, digest), body_line), links

    def former_slugs(self, personas: list[Document]) -> None:
        """A persona's earlier slug (`formerly`) may name no other persona, now or before."""
        owner = {p.slug: p for p in personas}
        for p in personas:
            for i, old in enumerate(p.meta.formerly):
                other = owner.setdefault(old, p)
                if other is not p or old == p.slug:
                    what = "its own slug" if other is p else f"also the slug of {other.path}"
                    self.problems.append(Problem(p.path, p.line("formerly", i),
                                                 f"formerly: '{old}' is {what}; each slug names one persona"))

    def unique_slugs(self, docs: list[Document], kind: str) -> None:
        seen: dict[str, Document] = {}
        for doc in docs:
            if doc.slug in seen:
                self.problems.append(Problem(doc.path, doc.line("slug") if doc.meta.slug else 1,
                                             f"duplicate {kind} slug '{doc.slug}' (also used by {seen[doc.slug].path})"))
            else:
                seen[doc.slug] = doc

    def unique(self, shown: str, positions: Positions, what: str, named: list[tuple[Loc, str]]) -> None:
        """A problem at each value that an earlier one already took, naming the earlier one's line."""
        first: dict[str, int | None] = {}
        for loc, value in named:
            line = positions.line(loc)
            if value in first:
                self.problems.append(Problem(shown, line, f"duplicate {what} '{value}' (also on line {first[value]})"))
            else:
                first[value] = line

    def sequences(self, folder: Path, personas: set[str]) -> list[SequenceFile]:
        out: list[SequenceFile] = []
        if not folder.is_dir():
            return out
        for path in sorted(folder.glob("*.y*ml")):
            if path.name in ("samples.yaml", "samples.yml") or path.suffix not in (".yaml", ".yml"):
                continue
            shown = self.shown(path)
            loaded = self.yaml_file(path)
            if loaded is None:
                continue
            data, positions = loaded
            meta, problems = validate(SequenceMeta, data, shown, positions)
            self.problems += problems
            if meta is None:
                continue
            key = path.stem.lower()
            if not SLUG_RE.match(key):
                self.problems.append(Problem(shown, 1, f"'{path.name}': a sequence file name must be lowercase letters, digits and '-'"))
                continue
            seq = SequenceFile(key, shown, meta, positions)
            self.check_sequence(seq, path.parent, personas)
            out.append(seq)
        return out

    def check_sequence(self, seq: SequenceFile, folder: Path, personas: set[str]) -> None:
        self.unique(seq.path, seq.positions, "step id", [(("steps", i, "id"), str(s.id))
                                                         for i, s in enumerate(seq.meta.steps)])
        for name in seq.meta.personas or []:
            if name not in personas:
                self.problems.append(Problem(seq.path, seq.line("personas"), f"unknown persona '{name}'"))
        for i, step in enumerate(seq.meta.steps):
            bodies = [(("steps", i, "body"), step.body)]
            for persona, variant in step.variants.items():
                if persona not in personas:
                    self.problems.append(Problem(seq.path, seq.line("steps", i, "variants", persona),
                                                 f"variant for unknown persona '{persona}' (known: {', '.join(sorted(personas))})"))
                if variant.body:
                    bodies.append((("steps", i, "variants", persona, "body"), variant.body))
            for loc, body in bodies:
                self.step_body(seq, folder, loc, body)

    def step_body(self, seq: SequenceFile, folder: Path, loc: tuple, body: str) -> None:
        if body in seq.bodies:
            return
        # As written: '..' must not climb out. A link that leads out of the project is refused when it is read.
        target = Path(os.path.normpath(folder.absolute() / body))
        if not target.is_relative_to(folder.absolute()):
            self.problems.append(Problem(seq.path, seq.line(*loc), f"body '{body}' points outside the sequences folder"))
            return
        try:
            found = target.is_file()
        except OSError as exc:  # a name too long for the file system
            self.problems.append(Problem(seq.path, seq.line(*loc), f"body file '{body}': {exc.strerror}"))
            return
        if not found:
            self.problems.append(Problem(seq.path, seq.line(*loc), f"body file '{body}' does not exist"))
            return
        shown = self.shown(target)
        try:
            seq.bodies[body] = StepBody(shown, read_text(target, shown, self.root))
        except SourceError as exc:
            self.problems.append(exc.problem)
            return
        slow = markdown_problem(seq.bodies[body].text, shown)
        if slow is not None:
            self.problems.append(slow)

    def samples(self, path: Path, personas: set[str]) -> list[Sample]:
        if not path.is_file():
            return []
        loaded = self.yaml_file(path)
        if loaded is None:
            return []
        data, positions = loaded
        model, problems = validate(Samples, data, self.shown(path), positions)
        self.problems += problems
        if model is None:
            return []
        self.unique(self.shown(path), positions, "sample name", [(("samples", i, "name"), s.name)
                                                                 for i, s in enumerate(model.samples)])
        for i, sample in enumerate(model.samples):
            if sample.persona and sample.persona not in personas:
                self.problems.append(Problem(self.shown(path), positions.line(("samples", i, "persona")),
                                             f"unknown persona '{sample.persona}'"))
        return model.samples


def load_project(root: Path | str, digests: dict[str, str] | None = None, front_matter: Any = None) -> Project:
    """Load and validate every file of the project at `root`; raise ProjectError listing all problems.

    `digests` (path as shown -> sha256 of the file, as a build has just read them) lets a markdown file this process
    loaded before with the same digest be taken as it was, unread; `front_matter` (`cache.FrontMatterStore`) gives
    the front matter an earlier build read from the same bytes, validated again but not parsed again."""
    root = Path(root)
    loader = _Loader(root, digests, front_matter)
    config_path = root / CONFIG_FILE
    if root.is_file():
        raise ProjectError([Problem(rel(root), None, f"is a file; give the project folder (the one with {CONFIG_FILE})")])
    if not config_path.is_file():
        raise ProjectError([Problem(rel(config_path), None, "not found: run this in a welcome-gen project "
                                    "(or `welcome-gen init DIR` to start one)")])
    config = None
    positions = Positions()
    loaded = loader.yaml_file(config_path)
    if loaded is not None:
        data, positions = loaded
        config, problems = validate(Config, data, CONFIG_FILE, positions)
        loader.problems += problems

    content = root / "content"
    personas = loader.markdown_files(content / "audiences", PersonaMeta, "persona")
    issues = loader.markdown_files(content / "newsletter", IssueMeta, "newsletter issue")
    pages = loader.markdown_files(content, PageMeta, "page")
    for page in pages:
        if page.slug in RESERVED_SLUGS and page.path != FIT_FILE:
            loader.problems.append(Problem(page.path, page.line("slug") if page.meta.slug else 1,
                                           reserved_slug(page.slug)))
    loader.former_slugs(personas)
    persona_slugs = {p.slug for p in personas} | loader.broken.get("persona", set())
    sequences = loader.sequences(root / "sequences", persona_slugs)
    samples = loader.samples(root / "sequences" / "samples.yaml", persona_slugs)

    if loader.read:
        _read_before.clear()
        _read_before.update(loader.read)
    if loader.problems or config is None:
        raise ProjectError(loader.problems)
    return Project(root, config, positions, pages, personas, issues, sequences, samples)


def _stem(path: Path | str) -> str:
    """The file's name without its extension, lowercased: the slug of a file that names none."""
    return os.path.splitext(os.path.basename(path))[0].lower()
