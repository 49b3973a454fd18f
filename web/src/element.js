// Element Plus components registered globally: only what the shell (header, footer, home,
// login) uses, so the first load stays small. Every other page imports the components it
// needs itself:
//   import { ElTable, ElTableColumn } from 'element-plus';   // then <el-table> in the template
// and they land in that page's lazy chunk. The full Element Plus stylesheet is loaded here.
import 'element-plus/dist/index.css';
import {
  ElAlert, ElButton, ElCard, ElConfigProvider, ElDropdown, ElDropdownItem, ElDropdownMenu,
  ElForm, ElFormItem, ElInput, ElLoading, ElTag, ElTooltip,
} from 'element-plus';

const components = [
  ElAlert, ElButton, ElCard, ElConfigProvider, ElDropdown, ElDropdownItem, ElDropdownMenu,
  ElForm, ElFormItem, ElInput, ElTag, ElTooltip,
];

export function installElement(app) {
  for (const c of components) app.use(c);
  app.use(ElLoading); // v-loading directive
}
