// Progressive enhancement only: every page works without this file.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-status");
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    if (status) status.textContent = button.dataset.copied;
  } catch (error) {
    // No clipboard (plain http, old browser): select the text for Ctrl+C instead.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (status) status.textContent = button.dataset.select;
  }
});

// An open menu (<details class="menu">) closes on a click elsewhere and on Escape.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

// On a phone the pages' links are one row that scrolls: bring the current one into view.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector(".site-header nav");
  const current = nav && nav.querySelector('[aria-current="page"]');
  if (current && nav.scrollWidth > nav.clientWidth) {
    const box = nav.getBoundingClientRect();
    const link = current.getBoundingClientRect();
    nav.scrollLeft += link.left - box.left - (box.width - link.width) / 2;
  }
});

// Sign-up: the browser's time zone goes in, and the default currency follows the time
// zone's region (else the language) until the person picks one, saying why.
document.addEventListener("DOMContentLoaded", () => {
  const currency = document.querySelector("select[data-follow][data-reason-zone]");
  if (!currency) return;
  const zone = currency.form.elements.timezone;
  const language = currency.form.elements.language;
  const help = document.getElementById(currency.id + "_helptext");
  let picked = false;
  currency.addEventListener("change", () => { picked = true; });

  const follow = () => {
    const byZone = zone.selectedOptions[0];
    const byLanguage = language.selectedOptions[0];
    const code = (byZone && byZone.dataset.currency) || (byLanguage && byLanguage.dataset.currency);
    const option = code && [...currency.options].find((o) => o.value === code);
    if (!option || picked) return;
    // The region's currency joins the common ones at the top of the list.
    const common = 3;
    if (option.index > common) currency.insertBefore(option, currency.options[common]);
    currency.value = code;
    if (!help) return;
    const reason = byZone && byZone.dataset.currency
      ? currency.dataset.reasonZone.replace("%(zone)s", zone.value)
      : currency.dataset.reasonLanguage.replace("%(language)s", byLanguage.textContent.trim());
    help.textContent = reason.replace("%(currency)s", code);
  };
  zone.addEventListener("change", follow);
  language.addEventListener("change", follow);

  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const known = browserZone && [...zone.options].some((o) => o.value === browserZone);
  if (zone.dataset.detect && known) {
    zone.value = browserZone;
    const zoneHelp = document.getElementById(zone.id + "_helptext");
    if (zoneHelp) zoneHelp.textContent = zone.dataset.detected;
    follow();
  }
});

// An import a queue job is working on: follow its progress, and show the result when done.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const bar = document.getElementById("import-progress-bar");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const progress = await response.json();
      if (progress.status !== box.dataset.status) {
        window.location.reload();
        return;
      }
      if (bar && progress.total) {
        bar.max = progress.total;
        bar.value = progress.done;
      }
    } catch (error) {
      // A lost connection: try again at the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
});
