import '../../src/wsp-call.js';
import { demoUsers } from '../servers.js';
import { mountPhones } from './app.js';

mountPhones(document.querySelector('#app')!, await demoUsers());
