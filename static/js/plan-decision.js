// The plan decision's list: the amounts listed and the plan's budget remaining, updated as
// the proposals are ticked (the server computes the same figures when the list is saved).
(function () {
  const box = document.getElementById("plan-money");
  if (!box) return;
  const proposed = box.querySelector("[data-testid=proposed]");
  const remaining = box.querySelector("[data-testid=remaining]");
  if (!proposed || !remaining) return;
  const budget = Number(box.dataset.budget);
  const committed = Number(box.dataset.committed);
  const vnd = (n) => n.toLocaleString("vi-VN").replace(/,/g, ".") + " ₫";
  function update() {
    let sum = 0;
    document.querySelectorAll(".js-include:checked").forEach((el) => {
      sum += Number(el.dataset.amount);
    });
    proposed.textContent = vnd(sum);
    const left = budget - committed - sum;
    remaining.textContent = vnd(left);
    remaining.classList.toggle("text-danger", left < 0);
  }
  document.querySelectorAll(".js-include").forEach((el) => el.addEventListener("change", update));
})();
