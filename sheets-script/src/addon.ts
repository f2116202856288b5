// The private Editor add-on's own entry points. An add-on's menu is the add-on menu (Extensions › pipesheet),
// and onOpen may run in AuthMode.NONE, where it may only build that menu, which is all it does. onInstall runs
// once, when a user installs the add-on, so the menu appears without reopening the spreadsheet.
import { addMenuItems } from "./entries.js";

export function onOpen(_e?: GoogleAppsScript.Events.SheetsOnOpen | GoogleAppsScript.Events.AddonOnInstall): void {
  addMenuItems(SpreadsheetApp.getUi().createAddonMenu());
}

export function onInstall(e?: GoogleAppsScript.Events.AddonOnInstall): void {
  onOpen(e);
}
