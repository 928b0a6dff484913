// Starts GOV.UK Frontend components. A module file, because CSP forbids inline scripts.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
