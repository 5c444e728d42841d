// The changelog generator of `changeset version` (.changeset/config.json "changelog"): each entry
// links to the commit that added its changeset, and to the pull request when the summary names one
// (`#12`). Works offline: the links are built from the repository named in the config, no API call.
"use strict";

/** @param {{ repo?: string } | null | undefined} options */
const repoUrl = (options) => {
  if (!options || typeof options.repo !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(options.repo)) {
    throw new Error('.changeset/config.json: give the changelog generator the repository, e.g. ["./changelog.cjs", { "repo": "owner/name" }]');
  }
  return `https://github.com/${options.repo}`;
};

/** `[abc1234](…/commit/abc1234…)`, or "" when the changeset is not committed yet. */
const commitLink = (url, commit) => (commit ? `[\`${commit.slice(0, 7)}\`](${url}/commit/${commit})` : "");

/** @type {import("@changesets/types").ChangelogFunctions["getReleaseLine"]} */
async function getReleaseLine(changeset, _type, options) {
  const url = repoUrl(options);
  const [first = "", ...rest] = changeset.summary.split("\n").map((line) => line.trimEnd());
  const withPulls = (line) => line.replace(/(^|[\s(])#(\d+)\b/g, (_m, before, n) => `${before}[#${n}](${url}/pull/${n})`);
  const link = commitLink(url, changeset.commit);
  let entry = `- ${link ? `${link} ` : ""}${withPulls(first)}`;
  if (rest.length > 0) entry += `\n${rest.map((line) => (line ? `  ${withPulls(line)}` : "")).join("\n")}`;
  return entry;
}

/** @type {import("@changesets/types").ChangelogFunctions["getDependencyReleaseLine"]} */
async function getDependencyReleaseLine(changesets, dependenciesUpdated, options) {
  if (dependenciesUpdated.length === 0) return "";
  const url = repoUrl(options);
  const links = changesets.map((c) => commitLink(url, c.commit)).filter(Boolean);
  const head = `- Updated dependencies${links.length ? ` ${links.join(", ")}` : ""}`;
  return [head, ...dependenciesUpdated.map((d) => `  - ${d.name}@${d.newVersion}`)].join("\n");
}

module.exports = { getReleaseLine, getDependencyReleaseLine };
