// The narrative editor (core/richtext.py): every textarea[data-richtext] gets a toolbar and
// an editable box; the textarea stays in the form, hidden, and always holds the box's HTML.
// The server sanitises whatever arrives, so this is a convenience, not a guard. Forms that
// htmx inserts later are handled too (htmx:load).
(() => {
  if (window.portalRichText) return; // included by a page and again by a partial
  window.portalRichText = true;

  // [key of the words in data-richtext, editing command, Bootstrap icon]
  const BUTTONS = [
    ["bold", "bold", "bi-type-bold"],
    ["italic", "italic", "bi-type-italic"],
    ["underline", "underline", "bi-type-underline"],
    ["bulleted", "insertUnorderedList", "bi-list-ul"],
    ["numbered", "insertOrderedList", "bi-list-ol"],
  ];
  const refreshers = new WeakMap(); // editor -> function updating its buttons' state
  const syncs = new WeakMap(); // textarea -> function copying its editor's HTML into it
  let count = 0;

  function words(textarea) {
    try {
      return JSON.parse(textarea.dataset.richtext || "{}");
    } catch (error) {
      return {};
    }
  }

  function toolbarFor(editor, textarea, sync) {
    const labels = words(textarea);
    const toolbar = document.createElement("div");
    toolbar.className = "btn-toolbar richtext-toolbar mb-1";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", labels.toolbar || "");
    toolbar.setAttribute("aria-controls", editor.id);
    const group = document.createElement("div");
    group.className = "btn-group btn-group-sm";
    const buttons = BUTTONS.map(([key, command, icon]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary";
      button.title = labels[key] || key;
      button.setAttribute("aria-label", button.title);
      button.setAttribute("aria-pressed", "false");
      button.dataset.command = command;
      const glyph = document.createElement("i");
      glyph.className = `bi ${icon}`;
      glyph.setAttribute("aria-hidden", "true");
      button.append(glyph);
      // Keep the selection in the box when the button is pressed with the mouse.
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => {
        editor.focus();
        document.execCommand(command, false, null);
        sync();
        refresh();
      });
      group.append(button);
      return button;
    });
    toolbar.append(group);

    function refresh() {
      for (const button of buttons) {
        const on = document.queryCommandState(button.dataset.command);
        button.setAttribute("aria-pressed", String(on));
        button.classList.toggle("active", on);
      }
    }
    return [toolbar, refresh];
  }

  function enhance(textarea) {
    if (textarea.dataset.richtextReady) return;
    textarea.dataset.richtextReady = "true";
    count += 1;
    const base = textarea.id || `richtext-${count}`;

    const editor = document.createElement("div");
    editor.id = `${base}-editor`;
    editor.className = "form-control richtext-editor";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    const editable = !textarea.disabled && !textarea.readOnly;
    editor.contentEditable = String(editable);
    if (!editable) editor.setAttribute("aria-readonly", "true");
    editor.innerHTML = textarea.value;

    const label = textarea.labels && textarea.labels[0];
    if (label) {
      if (!label.id) label.id = `${base}-label`;
      editor.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", () => editor.focus());
    }
    for (const name of ["aria-describedby", "aria-invalid"]) {
      if (textarea.hasAttribute(name)) editor.setAttribute(name, textarea.getAttribute(name));
    }
    editor.classList.toggle("is-invalid", textarea.classList.contains("is-invalid"));
    if (textarea.required) {
      // A hidden required field would stop the submission without a word; the server
      // refuses an empty narrative beside the field.
      textarea.required = false;
      editor.setAttribute("aria-required", "true");
    }

    const sync = () => {
      textarea.value = editor.innerHTML;
    };
    const [toolbar, refresh] = toolbarFor(editor, textarea, sync);
    refreshers.set(editor, refresh);
    syncs.set(textarea, sync);
    if (!editable) toolbar.querySelectorAll("button").forEach((b) => (b.disabled = true));

    editor.addEventListener("focus", () => {
      // Enter starts a <p> (Chromium's own default is a <div>).
      document.execCommand("defaultParagraphSeparator", false, "p");
    });
    editor.addEventListener("input", () => {
      sync();
      refresh();
    });
    editor.addEventListener("paste", (event) => {
      // Plain text only: formatting from Word or a web page is not carried over.
      event.preventDefault();
      const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
      document.execCommand("insertText", false, text);
    });

    textarea.classList.add("d-none");
    textarea.after(toolbar, editor);
  }

  function enhanceWithin(root) {
    if (root.matches && root.matches("textarea[data-richtext]")) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll("textarea[data-richtext]").forEach(enhance);
  }

  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    const node = selection && selection.anchorNode;
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    const editor = element && element.closest(".richtext-editor");
    if (editor && refreshers.has(editor)) refreshers.get(editor)();
  });
  // Before any other submit handler (htmx's too) reads the form: every textarea current.
  document.addEventListener(
    "submit",
    (event) => {
      event.target.querySelectorAll("textarea[data-richtext]").forEach((textarea) => {
        const sync = syncs.get(textarea);
        if (sync) sync();
      });
    },
    true,
  );
  document.addEventListener("htmx:load", (event) => enhanceWithin(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => enhanceWithin(document));
  } else {
    enhanceWithin(document);
  }
})();
