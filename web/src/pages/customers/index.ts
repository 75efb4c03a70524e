export { CustomersPage } from './customer-list';
export { CustomerPage } from './customer-page';
export { readsCustomers } from './access';
export { Timeline } from './timeline';
